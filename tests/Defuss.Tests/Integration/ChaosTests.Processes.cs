using System.Globalization;
using System.Net;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Integration;

/// <summary>Workers that flood their output while nobody reads the primary's, and workers that leave processes behind.</summary>
public abstract partial class ChaosTests
{
    /// <summary>How many bytes each of the four floods writes.</summary>
    private const long FloodBytes = 48L * 1024 * 1024;

    /// <summary>
    /// How much the primary's resident memory may grow while the workers write 4 x 48 MiB through it: the echo's queues
    /// (1 MiB per stream and a batch), each worker's 64 KiB of last error lines, and what the GC has not yet returned.
    /// Before the output was bounded, one 100 MB line grew the primary by 100 MB.
    /// </summary>
    private const long MemoryGrowthLimit = 64L * 1024 * 1024;

    /// <summary>How long one new connection may take to be served while the flood goes on.</summary>
    private static readonly TimeSpan ServeTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task WorkersFloodTheirOutput_ThePrimarysOwnOutputIsAPipeNobodyReads_NewConnectionsAreServedAndMemoryStaysBounded()
    {
        var defuss = await DefussProcess.StartWithUnreadOutputAsync(Delivery.With(DeliveryMode, ["--Showcase:AllowChaos=true"]));
        await using var _ = defuss;
        try
        {
            await ServesAgainAsync(defuss);
            var baseline = defuss.Memory().Resident;

            using var stopServing = new CancellationTokenSource();
            var floods = new[] { ("stdout", true), ("stderr", true), ("stdout", false), ("stderr", false) }
                .Select(f => NoiseAsync(defuss.BaseAddress, f.Item1, f.Item2))
                .ToArray();
            var served = ServeWhileAsync(defuss, stopServing.Token);
            var answers = await Task.WhenAll(floods).WaitAsync(TestTimeouts.Bulk);
            await stopServing.CancelAsync();
            var (connections, slowest) = await served;

            answers.Should().OnlyContain(a => a.StartsWith($"wrote {FloodBytes} bytes to", StringComparison.Ordinal), "each worker wrote its whole flood: nothing held it up");
            connections.Should().BeGreaterThan(0);
            slowest.Should().BeLessThan(ServeTimeout, $"every new connection was served during the flood ({connections} of them)");
            var (resident, peak) = defuss.Memory();
            (peak - baseline).Should().BeLessThan(MemoryGrowthLimit, $"the primary's memory stays bounded (baseline {baseline / 1024} KiB, now {resident / 1024} KiB, peak {peak / 1024} KiB)");
        }
        finally
        {
            defuss.ResumeReadingOutput();
        }

        await ServesAgainAsync(defuss);
        await defuss.WaitForLineAsync(@"\d+ lines of the workers' stdout were not echoed: the primary's own stdout did not keep up", TestTimeouts.Default);
        await defuss.WaitForLineAsync(@"\d+ lines of the workers' stderr were not echoed", TestTimeouts.Default);
        await StopsCleanlyAsync(defuss);
    }

    [Fact]
    public async Task WorkerLeavesAChildBehind_TheWorkerIsKilled_ItsChildGoesWithIt()
    {
        await using var defuss = await StartAsync("--Showcase:AllowChaos=true");
        await defuss.ReadyPidsAsync();
        var child = 0;
        try
        {
            child = int.Parse(await PostAsync(defuss.BaseAddress, "/spawn?seconds=120"), CultureInfo.InvariantCulture);
            var worker = ParentOf(child);
            defuss.WorkerPids.Should().Contain(worker);
            ProcessGroupOf(worker).Should().Be(worker, "a worker leads its own process group");
            ProcessGroupOf(child).Should().Be(worker, "what it starts is in that group");
            (await File.ReadAllTextAsync($"/proc/{child}/environ")).Should().Contain(WorkerEnvironment.Secret + "=", "why a leftover matters: it holds the worker's secret");

            Native.Kill(worker, Native.SIGKILL);

            await defuss.WaitForLineAsync($@"Process {worker} of worker \d exited and left processes in its process group; they were killed", TestTimeouts.Default);
            await WaitUntilGoneAsync(child);
        }
        finally
        {
            if (child > 0 && Native.IsAlive(child))
            {
                Native.Kill(child, Native.SIGKILL);
            }
        }

        await ServesAgainAsync(defuss);
        await StopsCleanlyAsync(defuss);
    }

    private static async Task<string> PostAsync(Uri baseAddress, string path)
    {
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = baseAddress, Timeout = HttpTestClient.Timeout };
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.ConnectionClose = true;
        using var response = await client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Field <paramref name="field"/> (1-based, as in proc(5)) of <c>/proc/PID/stat</c>.</summary>
    private static int StatField(int pid, int field)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(afterName[field - 3], CultureInfo.InvariantCulture);
    }

    private static int ParentOf(int pid) => StatField(pid, 4);

    private static int ProcessGroupOf(int pid) => StatField(pid, 5);

    private static async Task WaitUntilGoneAsync(int pid)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (Native.IsAlive(pid))
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"process {pid} should be gone");
            await Native.ProcessExitPollAsync();
        }
    }

    private static async Task<string> NoiseAsync(Uri baseAddress, string stream, bool newline)
    {
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = baseAddress, Timeout = TestTimeouts.Bulk };
        var path = string.Create(CultureInfo.InvariantCulture, $"/noise?bytes={FloodBytes}&newline={(newline ? "true" : "false")}&stream={stream}");
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.ConnectionClose = true;
        using var response = await client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Requests /pid on a new connection after another until told to stop; returns how many, and the slowest.</summary>
    private static async Task<(int Connections, TimeSpan Slowest)> ServeWhileAsync(DefussProcess defuss, CancellationToken stop)
    {
        var connections = 0;
        var slowest = TimeSpan.Zero;
        while (!stop.IsCancellationRequested || connections == 0)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                (await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid").WaitAsync(ServeTimeout, CancellationToken.None)).Should().MatchRegex(@"^\d+$");
            }
            catch (TimeoutException)
            {
                return (connections, ServeTimeout);
            }

            connections++;
            slowest = started.Elapsed > slowest ? started.Elapsed : slowest;
        }

        return (connections, slowest);
    }
}
