using System.Diagnostics;
using System.Globalization;
using Defuss.Tests.TestSupport;
using Xunit.Abstractions;

namespace Defuss.Tests.Integration;

/// <summary>
/// The Showcase with one worker, in handoff mode, whose worker runs out of descriptors (its limit lowered while it runs,
/// as <c>prlimit --pid</c> does): conditions that exist only where workers receive client sockets. Each checks that the
/// primary is alive, serves again within seconds once the condition ends, with the same worker (recovered, not
/// replaced), returns to its baseline socket count, and leaks no lease.
/// </summary>
[Collection(ShowcaseCollection.Name)]
public sealed class HandoffChaosTests(ITestOutputHelper output)
{
    /// <summary>How long the service may take to serve again once the condition has ended.</summary>
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Starts the Showcase with one worker, warms it (so its first requests' files are open), and returns its pid.</summary>
    private static async Task<(DefussProcess Defuss, int Worker)> StartWarmAsync()
    {
        var defuss = await DefussProcess.StartAsync(Delivery.With(Delivery.Handoff, ["--Defuss:Workers=1"]));
        try
        {
            var worker = int.Parse((await defuss.WaitForLineAsync(@"Worker 0 ready: pid (\d+)")).Groups[1].Value, CultureInfo.InvariantCulture);
            for (var i = 0; i < 20; i++)
            {
                await ServesAgainAsync(defuss);
            }

            return (defuss, worker);
        }
        catch
        {
            await defuss.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until a request on a new connection is answered 200 again; returns how long that took.</summary>
    private static async Task<TimeSpan> ServesAgainAsync(DefussProcess defuss)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                (await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid").WaitAsync(TimeSpan.FromSeconds(2))).Should().MatchRegex(@"^\d+$");
                return clock.Elapsed;
            }
            catch (Exception exception) when (clock.Elapsed < RecoveryTimeout && exception is not Xunit.Sdk.XunitException)
            {
                await Native.ProcessExitPollAsync();
            }
        }
    }

    private static int OpenDescriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    /// <summary>The end of each story: the same worker serves, sockets are back where they were, and the primary stops cleanly.</summary>
    private static async Task EndsCleanlyAsync(DefussProcess defuss, int worker, int[] pids, int[] baseline)
    {
        Native.IsAlive(worker).Should().BeTrue("the worker recovered; it was not replaced");
        defuss.Output.Should().NotMatchRegex(@"Worker 0 ready: pid (?!" + worker + @"\b)\d+", "no replacement was needed");
        (await ProcessSockets.SettledCountsAsync(pids, expected: baseline)).Should().Equal(baseline, "no socket of the condition is left in the primary or the worker");
        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        await defuss.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
        defuss.Output.Should().NotContain("routing leases were still open");

        // Counted as the front door stops, before the worker's exit would settle whatever its channel still carried.
        defuss.Output.Should().Contain("stopped accepting connections; 0 still open", "the end of every connection reached the primary");
    }

    [Fact]
    public async Task MoreKeepAliveClientsThanAWorkerCanHold_TheRestGet503AtOnce_AndItServesAgainWithinSecondsOnceTheyLeave()
    {
        const int Clients = 150;
        var (defuss, worker) = await StartWarmAsync();
        await using var _ = defuss;
        int[] pids = [defuss.Pid, worker];
        var baseline = await ProcessSockets.SettledCountsAsync(pids);
        var limit = Native.DescriptorLimit(worker);
        Native.SetDescriptorLimit(worker, OpenDescriptors(worker) + 40, limit.Hard);

        using (var flood = await KeepAliveFlood.OpenAsync(defuss.Port, Clients))
        {
            var answers = await flood.AnswersAsync(TimeSpan.FromSeconds(8));
            output.WriteLine($"Answers to {Clients} keep-alive clients of a worker with 40 descriptors to spare: {string.Join(", ", answers.Select(a => $"{a.Key}: {a.Value}"))}");

            answers.GetValueOrDefault("200").Should().BeInRange(1, 39, "the worker serves what its descriptors allow, keeping some in reserve");
            answers.GetValueOrDefault("503").Should().Be(Clients - answers["200"], "the others are given back, and refused at once rather than left hanging");
            await defuss.WaitForLineAsync("near its descriptor limit", TestTimeouts.Default);
        }

        var recovery = await ServesAgainAsync(defuss);
        output.WriteLine($"Served again {recovery.TotalMilliseconds:F0} ms after the clients left");
        await EndsCleanlyAsync(defuss, worker, pids, baseline);
    }

    [Fact]
    public async Task WorkerOutOfDescriptors_ClosesItsChannelBothWays_AndServesAgainWithinSecondsOnceItHasSome()
    {
        var (defuss, worker) = await StartWarmAsync();
        await using var _ = defuss;
        int[] pids = [defuss.Pid, worker];
        var baseline = await ProcessSockets.SettledCountsAsync(pids);
        var limit = Native.DescriptorLimit(worker);

        Native.SetDescriptorLimit(worker, 1, limit.Hard);
        var stranded = new List<System.Net.Sockets.Socket>();
        async Task RequestAsync()
        {
            stranded.Add(await HttpTestClient.ConnectAsync(defuss.Port));
            await stranded[^1].SendAsync("GET /pid HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), System.Net.Sockets.SocketFlags.None).WaitAsync(TestTimeouts.Default);
        }

        try
        {
            // Its next client socket cannot be installed (MSG_CTRUNC): the worker closes the channel in both directions,
            // and the primary, seeing the end, settles what the channel carried.
            await RequestAsync();
            await defuss.WaitForLineAsync("Closed a handoff channel that failed: The handoff channel dropped descriptors", TestTimeouts.Default);

            // The next connections open a new channel, which the worker cannot accept yet: it backs off, and they wait.
            // Until the primary has seen the old channel end, a connection may still be sent on it and fail, and a loaded
            // machine can take a while to show it: so connections keep coming, one a second, until one opens the new
            // channel, within a deadline of 30 s (one fixed burst of three could all meet the old channel).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                await RequestAsync();
                try
                {
                    await defuss.WaitForLineAsync("Accepting a handoff channel failed with errno 24", TimeSpan.FromSeconds(1));
                    break;
                }
                catch (TimeoutException) when (DateTime.UtcNow < deadline)
                {
                    // No new channel yet: the next connection tries again.
                }
            }
            Native.IsAlive(defuss.Pid).Should().BeTrue();
        }
        finally
        {
            Native.SetDescriptorLimit(worker, limit.Soft, limit.Hard);
        }

        var recovery = await ServesAgainAsync(defuss);
        output.WriteLine($"Served again {recovery.TotalMilliseconds:F0} ms after the worker had descriptors again");
        stranded.ForEach(socket => socket.Dispose());
        await EndsCleanlyAsync(defuss, worker, pids, baseline);
    }
}
