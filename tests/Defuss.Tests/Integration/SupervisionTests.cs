using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Defuss.Tests.TestSupport;
using Xunit.Abstractions;

namespace Defuss.Tests.Integration;

/// <summary>Workers dying, crashing and being stopped while clients talk to them, with real processes.</summary>
public abstract class SupervisionTests(string delivery, ITestOutputHelper output)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff(ITestOutputHelper output) : SupervisionTests(Delivery.Handoff, output);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy(ITestOutputHelper output) : SupervisionTests(Delivery.Proxy, output);

    /// <summary>Starts the Showcase in this class's delivery mode, with <paramref name="settings"/>.</summary>
    private Task<DefussProcess> StartAsync(params string[] settings) => DefussProcess.StartAsync(Delivery.With(delivery, settings));

    /// <summary>The Showcase's <c>Defuss:GracefulShutdownTimeout</c> (the default).</summary>
    private static readonly TimeSpan GracefulShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a replacement worker may take to start while the load runs on two cores.</summary>
    private static readonly TimeSpan ReplacementTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WorkerKilledUnderLoad_OtherWorkersConnectionsSucceedAndAReplacementBecomesReady()
    {
        await using var defuss = await StartAsync();
        var (killedPid, survivorPid) = await defuss.ReadyPidsAsync();
        await using var load = LoadGenerator.Start(defuss.BaseAddress, "/pid", loops: 8, keepAlive: true);
        // Every loop has a connection and knows (from /pid) which worker it is on.
        await load.WaitForEveryLoopAsync(20, TestTimeouts.Default);
        var before = load.Loops.ToDictionary(l => l.Index, l => l.Clients[^1]);
        var onKilled = before.Where(b => b.Value.FirstBody == killedPid.ToString(CultureInfo.InvariantCulture)).Select(b => b.Key).ToArray();
        var onSurvivor = before.Where(b => b.Value.FirstBody == survivorPid.ToString(CultureInfo.InvariantCulture)).Select(b => b.Key).ToArray();
        onKilled.Should().NotBeEmpty("round robin puts some of the 8 connections on worker 0");
        onSurvivor.Should().NotBeEmpty("round robin puts some of the 8 connections on worker 1");
        (onKilled.Length + onSurvivor.Length).Should().Be(8, "every response comes from one of the two workers");

        var killedAt = LoadGenerator.Now();
        Native.Kill(killedPid, Native.SIGKILL);
        var replacement = await defuss.WaitForLineAsync($@"Worker 0 ready: pid (?!{killedPid}\b)(\d+)", ReplacementTimeout);
        var readyAt = LoadGenerator.Now();
        var replacementPid = replacement.Groups[1].Value;
        await load.WaitForSuccessesAsync(load.Successes + 200, TestTimeouts.Default);

        // The other loops can make those 200 alone while a loop whose new connection reached the replacement as it came
        // up still waits for its cold first answer: wait for each loop that lost its connection to succeed again.
        await load.WaitUntilAsync(
            current => onKilled.All(index => current.Loops[index].LastFailureAt is not { } failed || current.Loops[index].LastSuccessAt > failed),
            "every loop that was on the killed worker has succeeded again",
            TestTimeouts.Default);
        var servedByReplacement = await NewConnectionReachesAsync(defuss, replacementPid);
        await load.StopAsync();

        var report = Describe(load);
        output.WriteLine(report);
        load.DeadlineReached.Should().BeFalse(report);
        foreach (var index in onSurvivor)
        {
            var loop = load.Loops[index];
            loop.Clients.Should().ContainSingle($"loop {index} was on worker 1, whose connections never fail; {report}");
            loop.Clients[0].Connections.Should().Be(1, $"loop {index}'s connection to worker 1 was never broken; {report}");
            loop.Clients[0].DistinctBodies.Should().Equal([survivorPid.ToString(CultureInfo.InvariantCulture)], report);
        }

        foreach (var index in onKilled)
        {
            var loop = load.Loops[index];
            loop.Clients.Sum(c => c.Connections).Should().BeGreaterThan(1, $"loop {index} lost its connection to the killed worker and opened another; {report}");
            foreach (var failure in loop.Clients.SelectMany(c => c.Failures))
            {
                failure.At.Should().BeInRange(killedAt, readyAt, $"loop {index} may fail only between the kill and the replacement's start; {report}");
            }

            if (loop.LastFailureAt is { } lastFailure)
            {
                loop.LastSuccessAt.Should().BeGreaterThan(lastFailure, $"loop {index} succeeded again on a new connection; {report}");
            }
        }

        servedByReplacement.Should().BeTrue($"a new connection reaches the replacement worker (pid {replacementPid})");
        await StopAndExpectNoWorkersAsync(defuss);
    }

    [Fact]
    public async Task SigtermDuringASlowRequest_TheRequestCompletesAndThePrimaryExits0()
    {
        await using var defuss = await StartAsync();
        await defuss.ReadyPidsAsync();
        using var socket = await HttpTestClient.ConnectAsync(defuss.Port);
        var requestStarted = Stopwatch.StartNew();
        // Both requests in one write: once the answer to the first is back, the worker has read the second too and
        // is serving it, so the signal below lands while /slow is in flight on the worker, not still on its way.
        await TestSockets.SendAsync(socket,
            "GET /pid HTTP/1.1\r\nHost: localhost\r\n\r\n" +
            "GET /slow?ms=2000 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        var firstResponse = await HttpTestClient.ReadUntilAsync(socket, "\r\n\r\n");

        var signalled = Stopwatch.StartNew();
        Native.Kill(defuss.Pid, Native.SIGTERM);
        await defuss.WaitForLineAsync("stopped accepting connections", TestTimeouts.Default);
        var newConnection = await NewConnectionOutcomeAsync(defuss.Port);
        var responses = firstResponse + await HttpTestClient.ReadToEndAsync(socket);
        var answeredAfter = requestStarted.Elapsed;
        // As any HTTP client does after a response with Connection: close; the primary waits for this close.
        socket.Close();
        var exitCode = await defuss.WaitForExitAsync(GracefulShutdownTimeout + TimeSpan.FromSeconds(5) - signalled.Elapsed);

        newConnection.Should().BeOneOf(["refused", "closed without a response"], "the public listener is closed once the primary stops accepting");
        responses.Should().StartWith("HTTP/1.1 200 OK").And.EndWith("\r\n\r\nslow 2000");
        Regex.Matches(responses, "HTTP/1.1 200 OK").Should().HaveCount(2, responses);
        answeredAfter.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(2000), "the slow request ran to its end");
        output.WriteLine($"new connection after the signal: {newConnection}; response after {answeredAfter}; primary exited {signalled.Elapsed} after the signal");
        exitCode.Should().Be(0);
        await defuss.WaitForNoWorkersAsync(TestTimeouts.Default);
    }

    /// <remarks>The workers close their idle connections at once; the front door must then close the clients' too.</remarks>
    [Fact]
    public async Task SigtermWithIdleKeepAliveConnections_ExitsPromptly()
    {
        await using var defuss = await StartAsync();
        var (pid0, pid1) = await defuss.ReadyPidsAsync();
        var clients = Enumerable.Range(0, 4).Select(_ => HttpTestClient.KeepAlive(defuss.BaseAddress)).ToArray();
        try
        {
            var pids = new List<string>();
            foreach (var client in clients)
            {
                pids.Add(await client.GetStringAsync("/pid").WaitAsync(TestTimeouts.Default));
            }

            pids.Should().Contain([pid0.ToString(CultureInfo.InvariantCulture), pid1.ToString(CultureInfo.InvariantCulture)], "idle connections are held on both workers");

            var signalled = Stopwatch.StartNew();
            var exitCode = await defuss.SignalAndWaitAsync(Native.SIGTERM, GracefulShutdownTimeout + TimeSpan.FromSeconds(10));
            var exitedAfter = signalled.Elapsed;

            exitCode.Should().Be(0);
            exitedAfter.Should().BeLessThan(TimeSpan.FromSeconds(5), $"shutdown does not wait for idle clients (GracefulShutdownTimeout is {GracefulShutdownTimeout}){Environment.NewLine}{defuss.Output}");
            await defuss.WaitForNoWorkersAsync(TestTimeouts.Default);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task RespawnOff_CrashingWorker_TheOtherKeepsServing()
    {
        await using var defuss = await StartAsync("--Showcase:AllowCrash=true", "--Defuss:RespawnWorkers=false");
        var (pid0, pid1) = await defuss.ReadyPidsAsync();

        var exited = await CrashOneWorkerAsync(defuss);
        var crashedPid = int.Parse(exited.Groups[2].Value, CultureInfo.InvariantCulture);
        crashedPid.Should().BeOneOf(pid0, pid1);
        var survivorPid = (crashedPid == pid0 ? pid1 : pid0).ToString(CultureInfo.InvariantCulture);

        var pids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            pids.Add(await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid").WaitAsync(TestTimeouts.Default));
        }

        pids.Should().AllBe(survivorPid, "only the surviving worker serves once the other has crashed");
        defuss.WorkerPids.Should().HaveCount(2, "with RespawnWorkers=false the crashed worker is not started again");
        await StopAndExpectNoWorkersAsync(defuss);
    }

    private static async Task StopAndExpectNoWorkersAsync(DefussProcess defuss)
    {
        var exitCode = await defuss.SignalAndWaitAsync(Native.SIGTERM, GracefulShutdownTimeout + TimeSpan.FromSeconds(10));

        exitCode.Should().Be(0, defuss.Output);
        await defuss.WaitForNoWorkersAsync(TestTimeouts.Default);
    }

    /// <summary>GETs /pid on new connections until one is answered by <paramref name="pid"/> (the router may learn of a new worker just after its log line).</summary>
    private static async Task<bool> NewConnectionReachesAsync(DefussProcess defuss, string pid)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid").WaitAsync(TestTimeouts.Default) == pid)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What a new connection to the public port gets: refused, closed without a response, or a response.</summary>
    private static async Task<string> NewConnectionOutcomeAsync(int port)
    {
        Socket socket;
        try
        {
            socket = await HttpTestClient.ConnectAsync(port);
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return "refused";
        }

        using (socket)
        {
            try
            {
                await TestSockets.SendAsync(socket, "GET /pid HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
                var response = await TestSockets.ReadToEndAsStringAsync(socket);
                return response.Length == 0 ? "closed without a response" : $"answered: {response}";
            }
            catch (SocketException)
            {
                return "closed without a response";
            }
        }
    }

    /// <summary>POSTs /crash on new connections until the primary logs a worker's exit with code 13; returns that line's match (index, pid).</summary>
    private static async Task<Match> CrashOneWorkerAsync(DefussProcess defuss)
    {
        const string ExitedWithCode13 = @"Worker (\d+) \(pid (\d+)\) exited with exit code 13";
        for (var attempt = 1; ; attempt++)
        {
            // The socket stays open until the exit is seen: a client's FIN could end the request before it runs.
            using var socket = await HttpTestClient.ConnectAsync(defuss.Port);
            await TestSockets.SendAsync(socket, "POST /crash HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            try
            {
                return await defuss.WaitForLineAsync(ExitedWithCode13, TestTimeouts.Default);
            }
            catch (TimeoutException) when (attempt < 3)
            {
                // This POST ended no worker (it may have met one that was not serving yet); send another.
            }
        }
    }

    private static string Describe(LoadGenerator load) =>
        $"{load.Successes} requests succeeded, {load.Failures} failed; per loop (clients: connections/successes/failures): " +
        string.Join("; ", load.Loops.Select(l => $"{l.Index}: " + string.Join(" ", l.Clients.Select(c => $"[{c.FirstBody} {c.Connections}/{c.Successes}/{c.FailureCount}]")))) +
        $"; first failures: {string.Join(" | ", load.FailureMessages)}";
}
