using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>An elastic Showcase pool under real load: it grows to its maximum, and shrinks back once the load is gone.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed class ElasticPoolTests
{
    [Fact]
    public async Task ElasticPool_UnderLoad_GrowsToItsMaximum_ThenShrinksBackWithNoFailedRequest()
    {
        // Short periods and low thresholds, so that the test takes seconds; the defaults are for production.
        await using var primary = await DefussProcess.StartAsync(
            "--Defuss:Workers=auto", "--Defuss:MinWorkers=1", "--Defuss:MaxWorkers=2",
            "--Defuss:ScaleUpAfter=00:00:02", "--Defuss:ScaleDownAfter=00:00:03",
            "--Defuss:ScaleUpCpuPercent=15", "--Defuss:ScaleDownCpuPercent=5",
            "--Defuss:ScaleUpRequestsInFlight=2", "--Defuss:ScaleDownRequestsInFlight=1");
        await primary.WaitForLineAsync(@"Worker 0 ready: pid \d+");
        using var admin = primary.AdminClient();
        (await admin.StatusAsync()).GetProperty("workers").GetArrayLength().Should().Be(1, "an elastic pool starts at its minimum");

        await using (var load = LoadGenerator.Start(primary.BaseAddress, "/", loops: 16, deadline: TimeSpan.FromMinutes(2)))
        {
            await primary.WaitForLineAsync(@"Pool scaled up to 2 workers \(worker 1\): mean ", TimeSpan.FromSeconds(60));
            await primary.WaitForLineAsync(@"Worker 1 ready: pid \d+", TimeSpan.FromSeconds(60));
            var served = load.Successes;
            await load.WaitForSuccessesAsync(served + 200, TimeSpan.FromSeconds(30));
            await load.StopAsync();
            load.Failures.Should().Be(0, string.Join(Environment.NewLine, load.FailureMessages));
        }

        await primary.WaitForLineAsync(@"Pool scaled down to 1 workers \(worker 1\): mean CPU", TimeSpan.FromSeconds(60));
        await primary.WaitForLineAsync(@"Worker 1 \(pid \d+\) stopped", TimeSpan.FromSeconds(30));
        var status = await admin.StatusWhenAsync(s => s.GetProperty("workers").GetArrayLength() == 1);
        status.GetProperty("recentEvents").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).Should().Contain(["scaled_up", "scaled_down"]);
        (await HttpTestClient.GetOnNewConnectionAsync(primary.BaseAddress, "/")).Should().Be("hello");
    }

    [Fact]
    public async Task Sigttin_AddsAWorker_AndSigttou_RetiresOneWithADrain()
    {
        await using var primary = await DefussProcess.StartAsync();
        await primary.ReadyPidsAsync();

        Native.Kill(primary.Pid, Native.SIGTTIN);

        await primary.WaitForLineAsync(@"Pool scaled up to 3 workers \(worker 2\): resized to 3 workers by a signal \(SIGTTIN\)");
        await primary.WaitForLineAsync(@"Worker 2 ready: pid \d+");

        Native.Kill(primary.Pid, Native.SIGTTOU);

        await primary.WaitForLineAsync(@"Pool scaled down to 2 workers \(worker 2\): resized to 2 workers by a signal \(SIGTTOU\)");
        await primary.WaitForLineAsync(@"Worker 2 \(pid \d+\) stopped");
        (await HttpTestClient.GetOnNewConnectionAsync(primary.BaseAddress, "/")).Should().Be("hello");
    }
}
