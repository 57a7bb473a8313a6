using System.Net;
using System.Net.Sockets;
using System.Text;
using Defuss.Actors.Routing;
using Defuss.FrontDoor;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.FrontDoor;

/// <remarks>
/// In the real-process collection: its meters are named <c>Defuss</c>, like the primary's that the OpenTelemetry test
/// exports, and OpenTelemetry listens to every meter of that name in the process.
/// </remarks>
[Collection(Defuss.Tests.Integration.ShowcaseCollection.Name)]
public sealed partial class FrontDoorListenerTests : IDisposable
{
    private readonly ListLoggerProvider _logs = new();

    private readonly List<HandoffDelivery> _handoffs = [];

    public void Dispose()
    {
        _handoffs.ForEach(handoff => handoff.Dispose());
        _logs.Dispose();
    }

    private static FrontDoorOptions Options(TimeSpan? inspectionTimeout = null) => new()
    {
        Endpoint = new IPEndPoint(IPAddress.Loopback, 0),
        // Long enough that a loaded machine never routes a test's head as Unknown; a complete head ends the wait at once.
        RequestInspectionTimeout = inspectionTimeout ?? TestTimeouts.Default,
        RetryAfterSeconds = 7,
    };

    private async Task<(FrontDoorListener Listener, IPEndPoint EndPoint)> StartAsync(IBackendSelector selector, FrontDoorOptions? options = null)
    {
        var listener = new FrontDoorListener(options ?? Options(), selector, _logs);
        var endPoint = await listener.StartAsync().WaitAsync(TestTimeouts.Default);
        return (listener, endPoint);
    }

    private static async Task<string> GetAsync(EndPoint frontDoor, string path)
    {
        using var client = await TestSockets.ConnectAsync(frontDoor);
        await TestSockets.SendAsync(client, $"GET {path} HTTP/1.1\r\nHost: front.example\r\n\r\n");
        return await TestSockets.ReadToEndAsStringAsync(client);
    }

    [Fact]
    public async Task StartAsync_PortZero_ReturnsTheRealPort()
    {
        var (listener, endPoint) = await StartAsync(FakeBackendSelector.Always(null));
        await using var _ = listener;

        endPoint.Port.Should().BePositive();
        endPoint.Address.Should().Be(IPAddress.Loopback);
        listener.LocalEndPoint.Should().Be(endPoint);
        _logs.Entries.Should().Contain(e => e.EventId.Id == 3000 && e.Message.Contains(endPoint.Port.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_PortInUse_ThrowsInvalidOperationExceptionNamingAddressAndPort()
    {
        var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        try
        {
            var port = ((IPEndPoint)occupier.LocalEndpoint).Port;
            var options = Options() with { Endpoint = new IPEndPoint(IPAddress.Loopback, port) };
            await using var listener = new FrontDoorListener(options, FakeBackendSelector.Always(null), _logs);

            var act = () => listener.StartAsync().WaitAsync(TestTimeouts.Default);

            var thrown = await act.Should().ThrowAsync<InvalidOperationException>();
            thrown.Which.Message.Should().Contain("127.0.0.1").And.Contain(port.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("in use");
            thrown.Which.InnerException.Should().BeOfType<SocketException>();
        }
        finally
        {
            occupier.Stop();
        }
    }

    [Fact]
    public async Task Connection_HttpRequest_IsProxiedToTheChosenBackend()
    {
        await using var backend = TestBackend.StartTcpHttp("w0");
        var selector = FakeBackendSelector.Always(FakeBackendSelector.Candidate(backend.EndPoint));
        var (listener, frontDoor) = await StartAsync(selector);
        await using var _ = listener;

        var response = await GetAsync(frontDoor, "/hello?name=defuss");

        response.Should().StartWith("HTTP/1.1 200 OK\r\n").And.EndWith("w0 GET /hello?name=defuss");
        selector.Requests.Should().ContainSingle().Which.Should().Match<ParsedRequest>(r =>
            r.Protocol == RequestProtocol.Http1 && r.Path == "/hello?name=defuss" && r.Host == "front.example"
            && IPAddress.Loopback.Equals(r.ClientAddress) && r.ClientPort > 0);
        await selector.Releases.WaitForAsync(1);
        selector.Released.Should().Equal(selector.Chosen);
    }

    [Fact]
    public async Task Connection_HeadInPieces_ReachesTheBackendIntact()
    {
        await using var backend = TestBackend.StartTcpHttp("w0");
        var selector = FakeBackendSelector.Always(FakeBackendSelector.Candidate(backend.EndPoint));
        var (listener, frontDoor) = await StartAsync(selector);
        await using var _ = listener;
        string[] pieces = ["GET /split HTTP/1.1\r\n", "Host: split.example\r\nX-A: 1\r\n", "X-B: 2\r\n\r\n"];

        using var client = await TestSockets.ConnectAsync(frontDoor);
        foreach (var piece in pieces)
        {
            await TestSockets.SendAsync(client, piece);
            await Task.Yield();
        }

        (await TestSockets.ReadToEndAsStringAsync(client)).Should().EndWith("w0 GET /split");
        backend.ReceivedHeads.Should().ContainSingle().Which.Should().Equal(Encoding.ASCII.GetBytes(string.Concat(pieces)));
        selector.Requests.Should().ContainSingle().Which.GetHeader("X-B").Should().Be("2");
    }

    [Fact]
    public async Task Connection_NonHttpBytes_AreRoutedAsUnknownAndForwarded()
    {
        await using var echo = TestBackend.StartTcpEcho();
        var selector = FakeBackendSelector.Always(FakeBackendSelector.Candidate(echo.EndPoint));
        var (listener, frontDoor) = await StartAsync(selector, Options(TimeSpan.FromMilliseconds(100)));
        await using var _ = listener;
        byte[] binary = [0x00, 0xFF, 0x10, 0x0D, 0x0A, 0x42];

        using var client = await TestSockets.ConnectAsync(frontDoor);
        await TestSockets.SendAsync(client, binary);
        (await TestSockets.ReadExactlyAsync(client, binary.Length)).Should().Equal(binary);
        await TestSockets.SendAsync(client, "more");
        client.Shutdown(SocketShutdown.Send);

        (await TestSockets.ReadToEndAsStringAsync(client)).Should().Be("more");
        selector.Requests.Should().ContainSingle().Which.Protocol.Should().Be(RequestProtocol.Unknown);
    }

    [Fact]
    public async Task Connection_ServerSpeaksFirstProtocol_IsRoutedAsUnknownAfterTheTimeout()
    {
        await using var echo = TestBackend.StartTcpEcho();
        var selector = FakeBackendSelector.Always(FakeBackendSelector.Candidate(echo.EndPoint));
        var (listener, frontDoor) = await StartAsync(selector, Options(TimeSpan.FromMilliseconds(50)));
        await using var _ = listener;

        using var client = await TestSockets.ConnectAsync(frontDoor);
        await echo.Accepted.WaitForAsync(1);
        await TestSockets.SendAsync(client, "late");

        Encoding.ASCII.GetString(await TestSockets.ReadExactlyAsync(client, 4)).Should().Be("late");
        selector.Requests.Should().ContainSingle().Which.Protocol.Should().Be(RequestProtocol.Unknown);
    }

    [Fact]
    public async Task Connection_UnixDomainSocketBackend_IsProxied()
    {
        using var directory = new ShortTempDirectory();
        await using var echo = TestBackend.StartUnixEcho(directory.PathOf("w1.sock"));
        var selector = FakeBackendSelector.Always(FakeBackendSelector.Candidate(echo.EndPoint, index: 1));
        var (listener, frontDoor) = await StartAsync(selector);
        await using var _ = listener;
        const string Request = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody";

        using var client = await TestSockets.ConnectAsync(frontDoor);
        await TestSockets.SendAsync(client, Request);
        client.Shutdown(SocketShutdown.Send);

        (await TestSockets.ReadToEndAsStringAsync(client)).Should().Be(Request);
        await selector.Releases.WaitForAsync(1);
        selector.Released.Should().ContainSingle().Which.Id.Should().Be("worker-1");
    }
}
