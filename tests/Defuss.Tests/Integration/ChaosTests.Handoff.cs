using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>Limits inside a worker: connections its Kestrel refuses must end in the primary too, lease and all.</summary>
public abstract partial class ChaosTests
{
    [Fact]
    public async Task KestrelConnectionLimitInAWorker_RefusedConnectionsLeakNoLeaseAndNoSocket()
    {
        const int Limit = 4;
        const int Clients = 16;
        await using var defuss = await StartAsync("--Defuss:Workers=1", $"--Kestrel:Limits:MaxConcurrentConnections={Limit}");
        await ServesAgainAsync(defuss); // the first connection opens what stays open (a handoff channel)
        int[] primary = [defuss.Pid];
        var baseline = await ProcessSockets.SettledCountsAsync(primary);

        using (var flood = await KeepAliveFlood.OpenAsync(defuss.Port, Clients))
        {
            var answers = await flood.AnswersAsync(TimeSpan.FromSeconds(5));

            answers.GetValueOrDefault("200").Should().Be(Limit, $"the worker's Kestrel serves {Limit} connections at a time ({DeliveryMode})");
            answers.GetValueOrDefault(KeepAliveFlood.Closed).Should().Be(Clients - Limit, "it closes the others unserved, at once");
        }

        await ServesAgainAsync(defuss);
        (await ProcessSockets.SettledCountsAsync(primary, expected: baseline)).Should().Equal(baseline, "no refused connection leaves a socket in the primary");
        await StopsCleanlyAsync(defuss);

        // Counted as the front door stops, before the worker's exit would settle whatever its channel still carried.
        defuss.Output.Should().Contain("stopped accepting connections; 0 still open", "the end of every refused connection reached the primary");
    }
}
