using System.Net.Sockets;
using System.Text;
using Defuss.Actors.Routing;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.FrontDoor;

public sealed partial class FrontDoorListenerTests
{
    [Fact]
    public async Task Connection_SlowClientHoldingAHalfSentHead_DoesNotBlockOthers()
    {
        await using var backend = TestBackend.StartTcpHttp("w0");
        var selector = FakeBackendSelector.Always(FakeBackendSelector.Candidate(backend.EndPoint));
        var (listener, frontDoor) = await StartAsync(selector, Options(TimeSpan.FromMinutes(5)));
        await using var _ = listener;

        using var slow = await TestSockets.ConnectAsync(frontDoor);
        await TestSockets.SendAsync(slow, "GET /slow HTTP/1.1\r\nHost: sl");

        (await GetAsync(frontDoor, "/fast")).Should().EndWith("w0 GET /fast");
        (await GetAsync(frontDoor, "/fast-again")).Should().EndWith("w0 GET /fast-again");
        await Eventually.TrueAsync(() => listener.ActiveConnections == 1, "only the slow client is still open");

        await TestSockets.SendAsync(slow, "ow\r\n\r\n");
        (await TestSockets.ReadToEndAsStringAsync(slow)).Should().EndWith("w0 GET /slow");
    }

    [Fact]
    public async Task Connection_GarbageAndResets_NeitherStopTheListenerNorLogErrors()
    {
        await using var backend = TestBackend.StartTcpHttp("w0");
        await using var echo = TestBackend.StartTcpEcho();
        var selector = new FakeBackendSelector((request, _) => FakeBackendSelector.Candidate(
            request.Protocol == RequestProtocol.Http1 ? backend.EndPoint : echo.EndPoint));
        var (listener, frontDoor) = await StartAsync(selector, Options(TimeSpan.FromMilliseconds(100)));
        await using var _ = listener;
        var random = new Random(99);

        for (var i = 0; i < 20; i++)
        {
            using var client = await TestSockets.ConnectAsync(frontDoor);
            var garbage = new byte[random.Next(1, 3000)];
            random.NextBytes(garbage);
            switch (i % 4)
            {
                case 0:
                    await TestSockets.SendAsync(client, garbage);
                    client.Close(0);
                    break;
                case 1:
                    client.Close(0);
                    break;
                case 2:
                    await TestSockets.SendAsync(client, "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n");
                    client.Shutdown(SocketShutdown.Send);
                    break;
                default:
                    await TestSockets.SendAsync(client, garbage);
                    client.Shutdown(SocketShutdown.Send);
                    (await TestSockets.ReadToEndAsync(client)).Should().Equal(garbage);
                    break;
            }
        }

        (await GetAsync(frontDoor, "/still-up")).Should().EndWith("w0 GET /still-up");
        (await listener.WaitForConnectionsAsync(TestTimeouts.Default).WaitAsync(TestTimeouts.Default)).Should().BeTrue();
        _logs.Errors.Should().BeEmpty();
        selector.Released.Should().HaveCount(selector.Chosen.Count);
    }

    [Fact]
    public async Task StopAcceptingAsync_EstablishedConnection_KeepsWorkingWhileNewOnesAreRefused()
    {
        await using var echo = TestBackend.StartTcpEcho();
        var selector = FakeBackendSelector.Always(FakeBackendSelector.Candidate(echo.EndPoint));
        var (listener, frontDoor) = await StartAsync(selector, Options(TimeSpan.FromMilliseconds(50)));
        await using var _ = listener;
        using var established = await TestSockets.ConnectAsync(frontDoor);
        await TestSockets.SendAsync(established, "ping");
        await TestSockets.ReadExactlyAsync(established, 4);

        await listener.StopAcceptingAsync().WaitAsync(TestTimeouts.Default);

        var connect = async () => { using var refused = await TestSockets.ConnectAsync(frontDoor); };
        (await connect.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
        await TestSockets.SendAsync(established, "pong");
        Encoding.ASCII.GetString(await TestSockets.ReadExactlyAsync(established, 4)).Should().Be("pong");
        (await listener.WaitForConnectionsAsync(TimeSpan.FromMilliseconds(50)).WaitAsync(TestTimeouts.Default)).Should().BeFalse();

        established.Shutdown(SocketShutdown.Send);
        (await TestSockets.ReadToEndAsync(established)).Should().BeEmpty();
        (await listener.WaitForConnectionsAsync(TestTimeouts.Default).WaitAsync(TestTimeouts.Default)).Should().BeTrue();
        listener.ActiveConnections.Should().Be(0);
    }

    [Fact]
    public async Task AbortConnections_OpenConnections_AreReset()
    {
        await using var echo = TestBackend.StartTcpEcho();
        var selector = FakeBackendSelector.Always(FakeBackendSelector.Candidate(echo.EndPoint));
        var (listener, frontDoor) = await StartAsync(selector, Options(TimeSpan.FromMinutes(5)));
        await using var _ = listener;
        using var proxied = await TestSockets.ConnectAsync(frontDoor);
        await TestSockets.SendAsync(proxied, "GET / HTTP/1.1\r\n\r\n");
        await TestSockets.ReadExactlyAsync(proxied, 18);
        using var sniffing = await TestSockets.ConnectAsync(frontDoor);
        await TestSockets.SendAsync(sniffing, "GET / HTTP/1.1\r\n");

        await listener.StopAcceptingAsync().WaitAsync(TestTimeouts.Default);
        listener.AbortConnections();

        (await listener.WaitForConnectionsAsync(TestTimeouts.Default).WaitAsync(TestTimeouts.Default)).Should().BeTrue();
        var readProxied = () => TestSockets.ReadToEndAsync(proxied);
        await readProxied.Should().ThrowAsync<SocketException>();
        var readSniffing = () => TestSockets.ReadToEndAsync(sniffing);
        await readSniffing.Should().ThrowAsync<SocketException>();
        await selector.Releases.WaitForAsync(1);
        _logs.Errors.Should().BeEmpty();
    }
}
