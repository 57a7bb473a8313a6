using System.Globalization;
using System.Net.Sockets;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>Ejection and retry in the front door, against a live worker whose private endpoint refuses connections.</summary>
public abstract class PassiveHealthTests(string delivery)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff() : PassiveHealthTests(Delivery.Handoff);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy() : PassiveHealthTests(Delivery.Proxy);

    /// <summary>Starts the Showcase in this class's delivery mode, with <paramref name="settings"/>.</summary>
    private Task<DefussProcess> StartAsync(params string[] settings) => DefussProcess.StartAsync(Delivery.With(delivery, settings));

    [Fact]
    public async Task WorkerEndpointRefuses_ItIsEjectedAndEveryClientIsServedByTheOther()
    {
        // An ejection longer than the test: the refusing worker is tried exactly once, then left out.
        await using var defuss = await StartAsync("--Defuss:EjectionPeriod=00:05:00");
        var (refusing, healthy) = await defuss.ReadyPidsAsync();
        using var deadEndpoint = RefuseConnectionsAt(await Worker0SocketAsync(defuss));

        var pids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            pids.Add(await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid"));
        }

        pids.Should().OnlyContain(pid => pid == healthy.ToString(CultureInfo.InvariantCulture), "the connection that tried worker 0 was retried on worker 1");
        await defuss.WaitForLineAsync(@"could not reach worker-0 at \S+: ConnectionRefused \(attempt 1\)");
        await defuss.WaitForLineAsync(@"worker-0 could not be reached \(ConnectionRefused\); it is left out of routing for 300000 ms");
        defuss.Output.Split('\n').Count(line => line.Contains("could not reach worker-0", StringComparison.Ordinal)).Should().Be(1);
        defuss.Output.Should().NotContain("could reach no backend").And.NotContain("Worker 0 (pid", "worker 0 is neither stale, restarted nor replaced");
        Native.IsAlive(refusing).Should().BeTrue("the worker process itself is fine; only its endpoint refuses");

        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        await defuss.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task OneConnectAttempt_TheClientSentToTheRefusingWorkerGets503AndTheRestAreServed()
    {
        await using var defuss = await StartAsync("--Defuss:ConnectAttempts=1", "--Defuss:EjectionPeriod=00:05:00");
        var (_, healthy) = await defuss.ReadyPidsAsync();
        using var deadEndpoint = RefuseConnectionsAt(await Worker0SocketAsync(defuss));

        // Round robin sends one of the first two to worker 0, unless its heartbeat is late on a loaded machine and it is
        // left out for a moment: the clients go on until one has met worker 0, then six more.
        var responses = new List<(System.Net.HttpStatusCode Status, string Body)>();
        var refused = -1;
        for (var i = 0; i < 40 && (refused < 0 || i <= refused + 6); i++)
        {
            responses.Add(await HttpTestClient.SendOnNewConnectionAsync(defuss.BaseAddress, "/pid"));
            refused = refused < 0 && responses[^1].Status == System.Net.HttpStatusCode.ServiceUnavailable ? i : refused;
        }

        responses.Should().ContainSingle(r => r.Status == System.Net.HttpStatusCode.ServiceUnavailable, "the client sent to worker 0 gets no second attempt, and worker 0 is then left out");
        responses.Where(r => r.Status != System.Net.HttpStatusCode.ServiceUnavailable)
            .Should().OnlyContain(r => r.Status == System.Net.HttpStatusCode.OK && r.Body == healthy.ToString(CultureInfo.InvariantCulture));
        await defuss.WaitForLineAsync(@"could reach no backend in 1 attempts");

        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        await defuss.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The path of worker 0's Unix socket, from its ready line.</summary>
    private static async Task<string> Worker0SocketAsync(DefussProcess defuss) =>
        (await defuss.WaitForLineAsync(@"Worker 0 ready: pid \d+ serving on (?:unix|handoff):(\S+)")).Groups[1].Value;

    /// <summary>
    /// Replaces the Unix socket file at <paramref name="path"/> with one bound by a socket that never listens: a connect
    /// there is refused, while the worker keeps serving on its own (now nameless) socket and keeps its heartbeat.
    /// </summary>
    private static Socket RefuseConnectionsAt(string path)
    {
        File.Delete(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }
}
