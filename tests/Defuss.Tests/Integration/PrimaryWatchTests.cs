using System.Globalization;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>A worker never outlives its primary, even when its app hangs before its control channel opens.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed class PrimaryWatchTests
{
    [Fact]
    public async Task WorkersHangBeforeTheirAgentStarts_ThePrimaryIsKilled_TheWorkersEndToo()
    {
        await using var defuss = DefussProcess.LaunchShowcase("--Showcase:HangWorkerStartup=true");
        var workers = new List<int>();
        foreach (var index in new[] { 0, 1 })
        {
            var started = await defuss.WaitForLineAsync($@"Worker {index} started: pid (\d+)", DefussProcess.StartTimeout);
            workers.Add(int.Parse(started.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        await defuss.WaitForLineCountAsync("simulated hang at startup", 2, DefussProcess.StartTimeout);
        defuss.Output.Should().NotContain("Worker 0 ready").And.NotContain("Worker 1 ready");

        (await defuss.SignalAndWaitAsync(Native.SIGKILL, TestTimeouts.Default)).Should().Be(137);

        await defuss.WaitForNoWorkersAsync(TestTimeouts.Default);
        workers.Should().OnlyContain(pid => !Native.IsAlive(pid));
    }
}
