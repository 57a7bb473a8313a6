using System.Globalization;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>Rolling restarts of real worker processes under load.</summary>
public abstract class RollingRestartTests(string delivery)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff() : RollingRestartTests(Delivery.Handoff);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy() : RollingRestartTests(Delivery.Proxy);

    /// <summary>Starts the Showcase in this class's delivery mode, with <paramref name="settings"/>.</summary>
    private Task<DefussProcess> StartAsync(params string[] settings) => DefussProcess.StartAsync(Delivery.With(delivery, settings));

    [Fact]
    public async Task Sighup_UnderConstantLoad_ReplacesEveryWorkerAndFailsNoRequest()
    {
        await using var defuss = await StartAsync();
        var before = new[]
        {
            (await defuss.WaitForLineAsync(@"Worker 0 ready: pid (\d+)")).Groups[1].Value,
            (await defuss.WaitForLineAsync(@"Worker 1 ready: pid (\d+)")).Groups[1].Value,
        };
        await using var load = LoadGenerator.Start(defuss.BaseAddress, "/pid", loops: 4, keepAlive: false);
        await load.WaitForSuccessesAsync(100, TestTimeouts.Default);

        Native.Kill(defuss.Pid, Native.SIGHUP);
        await defuss.WaitForLineAsync("Rolling restart done: 2 workers replaced", TimeSpan.FromSeconds(60));
        var served = load.Successes;
        await load.WaitForSuccessesAsync(served + 100, TestTimeouts.Default);
        await load.StopAsync();

        load.Failures.Should().Be(0, string.Join(Environment.NewLine, load.FailureMessages));
        var after = new[]
        {
            (await defuss.WaitForLineCountAsync(@"Worker 0 ready: pid (\d+)", 2)).Groups[1].Value,
            (await defuss.WaitForLineCountAsync(@"Worker 1 ready: pid (\d+)", 2)).Groups[1].Value,
        };
        after.Should().NotIntersectWith(before);
        (await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid")).Should().BeOneOf(after);
        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        await defuss.WaitForNoWorkersAsync(TestTimeouts.Default);
        _ = before.Select(pid => int.Parse(pid, CultureInfo.InvariantCulture)).Should().OnlyContain(pid => !Native.IsAlive(pid));
    }
}
