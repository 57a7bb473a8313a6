using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Defuss.Actors.Routing;
using Defuss.FrontDoor;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.FrontDoor;

public sealed class ProxyDeliveryTests : IDisposable
{
    private readonly ListLoggerProvider _logs = new();

    public void Dispose() => _logs.Dispose();

    private ProxyDelivery Delivery(bool allowHalfOpen = true) =>
        new(new FrontDoorOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), AllowHalfOpen = allowHalfOpen }, _logs.CreateLogger<ProxyDelivery>(), TimeProvider.System);

    private static BackendCandidate Candidate(EndPoint endPoint) => FakeBackendSelector.Candidate(endPoint);

    private ProxyDelivery Delivery(TimeProvider clock, TimeSpan idle, TimeSpan halfClose) =>
        new(new FrontDoorOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), ProxyIdleTimeout = idle, HalfCloseTimeout = halfClose }, _logs.CreateLogger<ProxyDelivery>(), clock);

    [Fact]
    public async Task DeliverAsync_NoByteEitherWayForTheIdleTimeout_ResetsBothSides_NotASecondBefore()
    {
        var clock = new ManualTimeProvider();
        await using var echo = TestBackend.StartTcpEcho();
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var delivery = Delivery(clock, idle: TimeSpan.FromSeconds(30), halfClose: TimeSpan.Zero);

        var deliver = delivery.DeliverAsync(accepted, "GET"u8.ToArray(), Candidate(echo.EndPoint), CancellationToken.None, CancellationToken.None);
        (await TestSockets.ReadExactlyAsync(client, 3)).Should().Equal("GET"u8.ToArray());
        clock.Advance(TimeSpan.FromSeconds(29));

        deliver.IsCompleted.Should().BeFalse("the connection has been idle for less than the timeout");
        clock.Advance(TimeSpan.FromSeconds(1));
        await deliver.WaitAsync(TestTimeouts.Default);
        (await TestSockets.ReadUntilClosedOrResetAsync(client)).Should().BeEmpty();
        delivery.OpenSessions.Should().Be(0);
        _logs.Entries.Should().ContainSingle(e => e.EventId.Id == 3022);
    }

    [Fact]
    public async Task DeliverAsync_BytesKeepMoving_TheIdleTimeoutNeverFires()
    {
        var clock = new ManualTimeProvider();
        await using var echo = TestBackend.StartTcpEcho();
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var delivery = Delivery(clock, idle: TimeSpan.FromSeconds(30), halfClose: TimeSpan.Zero);

        var deliver = delivery.DeliverAsync(accepted, ReadOnlyMemory<byte>.Empty, Candidate(echo.EndPoint), CancellationToken.None, CancellationToken.None);
        // Connected first: the connect timeout runs on the same manual clock.
        await Eventually.TrueAsync(() => delivery.OpenSessions == 1, "the session is open");
        for (var i = 0; i < 4; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(20));
            await TestSockets.SendAsync(client, "beat");
            (await TestSockets.ReadExactlyAsync(client, 4)).Should().Equal("beat"u8.ToArray(), "80 s in all, never 30 s without a byte");
        }

        deliver.IsCompleted.Should().BeFalse();
        client.Shutdown(SocketShutdown.Send);
        await deliver.WaitAsync(TestTimeouts.Default);
        _logs.Entries.Should().NotContain(e => e.EventId.Id == 3022);
    }

    [Fact]
    public async Task DeliverAsync_ClientNeverClosesAfterTheWorkersFin_IsClosedAfterTheHalfCloseTimeout()
    {
        var clock = new ManualTimeProvider();
        await using var backend = TestBackend.StartTcpHttp("w0");
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var delivery = Delivery(clock, idle: TimeSpan.FromHours(1), halfClose: TimeSpan.FromSeconds(10));

        var request = "GET /once HTTP/1.1\r\nHost: front.example\r\nConnection: close\r\n\r\n"u8.ToArray();
        var deliver = delivery.DeliverAsync(accepted, request, Candidate(backend.EndPoint), CancellationToken.None, CancellationToken.None);
        (await TestSockets.ReadToEndAsStringAsync(client)).Should().EndWith("w0 GET /once", "the response, then the worker's FIN");
        clock.Advance(TimeSpan.FromSeconds(9));
        deliver.IsCompleted.Should().BeFalse();

        clock.Advance(TimeSpan.FromSeconds(1));

        await deliver.WaitAsync(TestTimeouts.Default);
        delivery.OpenSessions.Should().Be(0);
        _logs.Entries.Should().ContainSingle(e => e.EventId.Id == 3023);
    }

    [Fact]
    public void SweepPeriod_IsAQuarterOfTheShortestTimeout_Between50MsAnd1s_AndNoneWhenBothAreOff()
    {
        FrontDoorOptions Options(TimeSpan idle, TimeSpan halfClose) =>
            new() { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), ProxyIdleTimeout = idle, HalfCloseTimeout = halfClose };

        ProxyDelivery.SweepPeriod(Options(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(10))).Should().Be(TimeSpan.FromSeconds(1));
        ProxyDelivery.SweepPeriod(Options(TimeSpan.Zero, TimeSpan.FromMilliseconds(400))).Should().Be(TimeSpan.FromMilliseconds(100));
        ProxyDelivery.SweepPeriod(Options(TimeSpan.FromMilliseconds(40), TimeSpan.Zero)).Should().Be(TimeSpan.FromMilliseconds(50));
        ProxyDelivery.SweepPeriod(Options(TimeSpan.Zero, TimeSpan.Zero)).Should().BeNull();
    }

    [Fact]
    public async Task DeliverAsync_IdleKeepAliveConnections_HoldNoBuffer_AndStillCarryTheirNextRequest()
    {
        const int Connections = 50;
        await using var echo = TestBackend.StartTcpEcho();
        var delivery = Delivery();
        var clients = new List<Socket>();
        var deliveries = new List<Task>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var (client, accepted) = await TestSockets.ConnectedPairAsync();
                clients.Add(client);
                deliveries.Add(delivery.DeliverAsync(accepted, Encoding.ASCII.GetBytes("first "), Candidate(echo.EndPoint), CancellationToken.None, CancellationToken.None));
                (await ReadExactlyAsync(client, "first ".Length)).Should().Be("first ");
            }

            // Every connection has carried bytes both ways and now waits for its next request, as keep-alive clients do.
            try
            {
                await Eventually.TrueAsync(() => delivery.BuffersHeld == 0, "every session is idle");
            }
            catch (TimeoutException)
            {
                // Said below, with the count.
            }

            delivery.BuffersHeld.Should().Be(0, "an idle session waits with a zero-byte read, holding no buffer");
            delivery.OpenSessions.Should().Be(Connections);

            foreach (var client in clients)
            {
                await client.SendAsync(Encoding.ASCII.GetBytes("again"), SocketFlags.None);
                (await ReadExactlyAsync(client, "again".Length)).Should().Be("again");
            }
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
            await Task.WhenAll(deliveries).WaitAsync(TestTimeouts.Default);
        }

        delivery.OpenSessions.Should().Be(0);
    }

    private static async Task<string> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var more = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Default);
            if (more == 0)
            {
                break;
            }

            read += more;
        }

        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    [Fact]
    public async Task DeliverAsync_FiftyMiBUpload_IsEchoedBackIntact()
    {
        const int ChunkSize = 1024 * 1024;
        const int Chunks = 50;
        await using var echo = TestBackend.StartTcpEcho();
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        var delivery = Delivery();

        var deliver = delivery.DeliverAsync(accepted, ReadOnlyMemory<byte>.Empty, Candidate(echo.EndPoint), CancellationToken.None, CancellationToken.None);
        var upload = Task.Run(async () =>
        {
            using var sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var random = new Random(50);
            var chunk = new byte[ChunkSize];
            for (var i = 0; i < Chunks; i++)
            {
                random.NextBytes(chunk);
                sentHash.AppendData(chunk);
                await client.SendAsync(chunk, SocketFlags.None);
            }

            client.Shutdown(SocketShutdown.Send);
            return sentHash.GetHashAndReset();
        });
        var download = Task.Run(async () =>
        {
            using var receivedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await client.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                receivedHash.AppendData(buffer, 0, read);
                total += read;
            }

            return (total, receivedHash.GetHashAndReset());
        });

        var sent = await upload.WaitAsync(TestTimeouts.Bulk);
        var (receivedBytes, received) = await download.WaitAsync(TestTimeouts.Bulk);
        await deliver.WaitAsync(TestTimeouts.Default);

        receivedBytes.Should().Be((long)ChunkSize * Chunks);
        received.Should().Equal(sent);
        delivery.BytesFromClients.Should().Be((long)ChunkSize * Chunks);
        delivery.BytesToClients.Should().Be((long)ChunkSize * Chunks);
    }

    [Fact]
    public async Task DeliverAsync_ClientHalfCloses_StillReceivesTheFullEcho()
    {
        await using var echo = TestBackend.StartTcpEcho();
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        var payload = new byte[256 * 1024];
        new Random(7).NextBytes(payload);

        var deliver = Delivery().DeliverAsync(accepted, ReadOnlyMemory<byte>.Empty, Candidate(echo.EndPoint), CancellationToken.None, CancellationToken.None);
        var read = TestSockets.ReadToEndAsync(client);
        await TestSockets.SendAsync(client, payload);
        client.Shutdown(SocketShutdown.Send);

        (await read).Should().Equal(payload);
        await deliver.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task DeliverAsync_HalfOpenNotAllowed_ClientFinEndsBothSidesGracefully()
    {
        await using var echo = TestBackend.StartTcpEcho();
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;

        var deliver = Delivery(allowHalfOpen: false).DeliverAsync(accepted, ReadOnlyMemory<byte>.Empty, Candidate(echo.EndPoint), CancellationToken.None, CancellationToken.None);
        await TestSockets.SendAsync(client, "ping");
        (await TestSockets.ReadExactlyAsync(client, 4)).Should().Equal("ping"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);

        await deliver.WaitAsync(TestTimeouts.Default);
        (await TestSockets.ReadToEndAsync(client)).Should().BeEmpty("the front door closes its side with a FIN");
    }

    [Fact]
    public async Task DeliverAsync_AnyConnection_StartsWithAProxyHeaderNamingTheClient()
    {
        await using var echo = TestBackend.StartTcpEcho();
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;

        var deliver = Delivery().DeliverAsync(accepted, "GET"u8.ToArray(), Candidate(echo.EndPoint), CancellationToken.None, CancellationToken.None);
        (await TestSockets.ReadExactlyAsync(client, 3)).Should().Equal("GET"u8.ToArray(), "the header is Defuss's own and never echoes back");
        client.Shutdown(SocketShutdown.Send);
        await deliver.WaitAsync(TestTimeouts.Default);

        echo.ProxyClients.Should().Equal((IPEndPoint)client.LocalEndPoint!);
    }

    [Fact]
    public async Task DeliverAsync_CandidateWithASecret_PutsItInTheProxyHeader()
    {
        var secret = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        await using var echo = TestBackend.StartTcpEcho();
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;

        var deliver = Delivery().DeliverAsync(accepted, "GET"u8.ToArray(), Candidate(echo.EndPoint) with { Secret = secret }, CancellationToken.None, CancellationToken.None);
        (await TestSockets.ReadExactlyAsync(client, 3)).Should().Equal("GET"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        await deliver.WaitAsync(TestTimeouts.Default);

        var header = echo.ProxyHeaders.Should().ContainSingle().Subject;
        ProxyProtocolV2.CarriesSecret(header, secret, out var error).Should().BeTrue(error);
        echo.ProxyClients.Should().Equal((IPEndPoint)client.LocalEndPoint!);
    }

    [Fact]
    public async Task DeliverAsync_UnixDomainSocketBackend_ProxiesBothWays()
    {
        using var directory = new ShortTempDirectory();
        await using var echo = TestBackend.StartUnixEcho(directory.PathOf("w0.sock"));
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;

        var deliver = Delivery().DeliverAsync(accepted, ReadOnlyMemory<byte>.Empty, Candidate(echo.EndPoint), CancellationToken.None, CancellationToken.None);
        await TestSockets.SendAsync(client, "over a unix socket");
        client.Shutdown(SocketShutdown.Send);

        (await TestSockets.ReadToEndAsStringAsync(client)).Should().Be("over a unix socket");
        await deliver.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task DeliverAsync_Prefix_ReachesTheBackendBeforeTheSocketsBytes()
    {
        await using var echo = TestBackend.StartTcpEcho();
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        await TestSockets.SendAsync(client, "world");

        var deliver = Delivery().DeliverAsync(accepted, "hello "u8.ToArray(), Candidate(echo.EndPoint), CancellationToken.None, CancellationToken.None);
        client.Shutdown(SocketShutdown.Send);

        (await TestSockets.ReadToEndAsStringAsync(client)).Should().Be("hello world");
        await deliver.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task DeliverAsync_BackendRefuses_ThrowsBackendConnectExceptionAndLeavesTheClientUntouched()
    {
        using var refusing = TestSockets.RefusingEndPoint(out var refused);
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var __ = accepted;

        var act = () => Delivery().DeliverAsync(accepted, ReadOnlyMemory<byte>.Empty, Candidate(refused), CancellationToken.None, CancellationToken.None).WaitAsync(TestTimeouts.Default);

        (await act.Should().ThrowAsync<BackendConnectException>()).Which.Reason.Should().Be(nameof(SocketError.ConnectionRefused));
        await TestSockets.SendAsync(client, "still here");
        Encoding.ASCII.GetString(await TestSockets.ReadExactlyAsync(accepted, 10)).Should().Be("still here");
    }

    [Fact]
    public async Task DeliverAsync_BackendResets_ResetsTheClientAndEnds()
    {
        await using var resetting = TestBackend.StartTcpResetting();
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;

        var deliver = Delivery().DeliverAsync(accepted, ReadOnlyMemory<byte>.Empty, Candidate(resetting.EndPoint), CancellationToken.None, CancellationToken.None);
        await TestSockets.SendAsync(client, "GET / HTTP/1.1\r\n\r\n");

        await deliver.WaitAsync(TestTimeouts.Default);
        var read = () => TestSockets.ReadToEndAsync(client);
        (await read.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        _logs.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task DeliverAsync_Cancelled_AbortsBothSides()
    {
        await using var echo = TestBackend.StartTcpEcho();
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var abort = new CancellationTokenSource();

        var deliver = Delivery().DeliverAsync(accepted, ReadOnlyMemory<byte>.Empty, Candidate(echo.EndPoint), CancellationToken.None, abort.Token);
        await TestSockets.SendAsync(client, "ping");
        await TestSockets.ReadExactlyAsync(client, 4);
        await abort.CancelAsync();

        await deliver.WaitAsync(TestTimeouts.Default);
        var read = () => TestSockets.ReadToEndAsync(client);
        await read.Should().ThrowAsync<SocketException>();
        _logs.Entries.Should().Contain(e => e.EventId.Id == 3011 && e.Message.Contains("aborted", StringComparison.Ordinal));
    }
}
