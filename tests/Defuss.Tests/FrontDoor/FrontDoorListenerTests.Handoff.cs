using System.Net;
using Defuss.FrontDoor;
using Defuss.Telemetry;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.FrontDoor;

/// <summary>The front door in handoff mode, against real handoff listeners in this process.</summary>
public sealed partial class FrontDoorListenerTests
{
    private async Task<(FrontDoorListener Listener, IPEndPoint EndPoint)> StartHandoffAsync(
        IBackendSelector selector, FrontDoorOptions? options = null, DefussMetrics? metrics = null)
    {
        var handoff = new HandoffDelivery(_logs.CreateLogger<HandoffDelivery>(), metrics);
        _handoffs.Add(handoff);
        var listener = new FrontDoorListener(options ?? Options(), selector, _logs, TimeProvider.System, delivery: null, handoff);
        var endPoint = await listener.StartAsync().WaitAsync(TestTimeouts.Default);
        return (listener, endPoint);
    }

    [Fact]
    public async Task Handoff_TheWorkerServesTheClientItself_AndSeesTheClientsAddress()
    {
        using var directory = new ShortTempDirectory();
        await using var worker = HandoffTestWorker.Start(directory.PathOf("w0.sock"), "worker-a", _logs);
        var selector = FakeBackendSelector.Always(worker.Candidate(0));
        var (listener, frontDoor) = await StartHandoffAsync(selector);
        await using var _ = listener;

        using var client = await TestSockets.ConnectAsync(frontDoor);
        await TestSockets.SendAsync(client, "GET /direct HTTP/1.1\r\nHost: front.example\r\n\r\n");
        var response = await TestSockets.ReadToEndAsStringAsync(client);

        response.Should().StartWith("HTTP/1.1 200 OK").And.EndWith($"worker-a {client.LocalEndPoint} GET /direct HTTP/1.1");
        await selector.Releases.WaitForAsync(1).WaitAsync(TestTimeouts.Default);
        listener.Handoff!.HandedOff.Should().Be(1);
        selector.Released.Should().ContainSingle().Which.Id.Should().Be("worker-0", "the lease ends when the worker reports the end");
    }

    [Fact]
    public async Task Handoff_AHeadInPieces_IsReplayedToTheWorkerWhole()
    {
        using var directory = new ShortTempDirectory();
        await using var worker = HandoffTestWorker.Start(directory.PathOf("w0.sock"), "worker-a", _logs);
        var (listener, frontDoor) = await StartHandoffAsync(FakeBackendSelector.Always(worker.Candidate(0)));
        await using var _ = listener;

        using var client = await TestSockets.ConnectAsync(frontDoor);
        await TestSockets.SendAsync(client, "GET /pie");
        await Eventually.TrueAsync(() => listener.LateHeadsWaiting == 1, "the front door waits for the rest of the head");
        await TestSockets.SendAsync(client, "ces HTTP/1.1\r\nHost: front.example\r\n\r\n");
        var response = await TestSockets.ReadToEndAsStringAsync(client);

        response.Should().EndWith("GET /pieces HTTP/1.1", "the bytes the front door read come first, then the socket's");
    }

    [Fact]
    public async Task Handoff_AWorkerThatStopsBeforeAccepting_GivesTheConnectionBack_AndAnotherServesIt()
    {
        using var directory = new ShortTempDirectory();
        await using var stopping = HandoffTestWorker.Start(directory.PathOf("w0.sock"), "worker-a", _logs, serve: false);
        await using var other = HandoffTestWorker.Start(directory.PathOf("w1.sock"), "worker-b", _logs);
        var selector = FakeBackendSelector.Sequence(stopping.Candidate(0), other.Candidate(1));
        using var recorder = new MetricsRecorder();
        using var metrics = new DefussMetrics(recorder.MeterFactory);
        var (listener, frontDoor) = await StartHandoffAsync(selector, metrics: metrics);
        await using var _ = listener;

        using var client = await TestSockets.ConnectAsync(frontDoor);
        await TestSockets.SendAsync(client, "GET /again HTTP/1.1\r\nHost: front.example\r\n\r\n");
        await _logs.WaitForAsync(e => e.EventId.Id == 3006 && e.Message.Contains("worker-0", StringComparison.Ordinal)).WaitAsync(TestTimeouts.Default);
        await Eventually.TrueAsync(() => listener.Handoff!.HandedOff == 1, "the connection reached the first worker");
        await stopping.UnbindAsync();
        var response = await TestSockets.ReadToEndAsStringAsync(client);

        response.Should().EndWith($"worker-b {client.LocalEndPoint} GET /again HTTP/1.1");
        await _logs.WaitForAsync(e => e.EventId.Id == 3017).WaitAsync(TestTimeouts.Default);
        selector.ConnectFailures.Should().BeEmpty("a worker that gives a connection back is stopping, not broken");
        recorder.Total("defuss.connections.returned").Should().Be(1);
        recorder.Total("defuss.connections.handed_off").Should().Be(2, "handed to the stopping worker, then to the other");
    }

    [Fact]
    public async Task Handoff_AWorkerThatHasStopped_IsReportedAndTheNextServes()
    {
        using var directory = new ShortTempDirectory();
        await using var stopped = HandoffTestWorker.Start(directory.PathOf("w0.sock"), "worker-a", _logs);
        await stopped.UnbindAsync();
        await using var other = HandoffTestWorker.Start(directory.PathOf("w1.sock"), "worker-b", _logs);
        var selector = FakeBackendSelector.Sequence(stopped.Candidate(0), other.Candidate(1));
        var (listener, frontDoor) = await StartHandoffAsync(selector);
        await using var _ = listener;

        var response = await GetAsync(frontDoor, "/next");

        response.Should().Contain("worker-b");
        selector.ConnectFailures.Should().ContainSingle().Which.Backend.Id.Should().Be("worker-0");
        await selector.Releases.WaitForAsync(2).WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Handoff_NoBackend_AnHttp1ClientGets503()
    {
        var (listener, frontDoor) = await StartHandoffAsync(FakeBackendSelector.Always(null));
        await using var _ = listener;

        var response = await GetAsync(frontDoor, "/");

        response.Should().StartWith("HTTP/1.1 503 Service Unavailable").And.Contain("Retry-After: 7");
    }

    [Fact]
    public async Task Handoff_ManyConnections_AllServedAndEveryLeaseReleased()
    {
        using var directory = new ShortTempDirectory();
        await using var a = HandoffTestWorker.Start(directory.PathOf("w0.sock"), "worker-a", _logs);
        await using var b = HandoffTestWorker.Start(directory.PathOf("w1.sock"), "worker-b", _logs);
        var candidates = new[] { a.Candidate(0), b.Candidate(1) };
        var selector = new FakeBackendSelector((_, call) => candidates[call % 2]);
        var (listener, frontDoor) = await StartHandoffAsync(selector);
        await using var _ = listener;

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => GetAsync(frontDoor, "/n" + i)));

        responses.Should().OnlyContain(r => r.StartsWith("HTTP/1.1 200 OK", StringComparison.Ordinal));
        responses.Count(r => r.Contains("worker-a", StringComparison.Ordinal)).Should().Be(100);
        await selector.Releases.WaitForAsync(200).WaitAsync(TestTimeouts.Default);
        await Eventually.TrueAsync(() => listener.ActiveConnections == 0, "every handed-off connection has ended");
        listener.Handoff!.OpenChannels.Should().Be(2, "one channel per worker, reused by every connection");
    }
}
