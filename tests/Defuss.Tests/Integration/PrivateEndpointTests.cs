using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Integration;

/// <summary>Workers on loopback TCP ports (<c>Defuss:BaseWorkerPort</c>), which any local process can connect to.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed class PrivateEndpointTests
{
    private const string ClientRequest = "GET /client HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    /// <remarks>With <c>BaseWorkerPort</c>, <c>Defuss:Delivery=Auto</c> proxies: only proxying reaches a TCP port.</remarks>
    [Fact]
    public async Task BaseWorkerPort_WorkersServeOnConsecutiveLoopbackPorts()
    {
        var basePort = TestSockets.FreeConsecutivePorts(2);
        await using var defuss = await DefussProcess.StartAsync($"--Defuss:BaseWorkerPort={basePort}");
        await defuss.WaitForLineAsync($@"Worker 0 ready: pid \d+ serving on tcp:127\.0\.0\.1:{basePort}\b");
        await defuss.WaitForLineAsync($@"Worker 1 ready: pid \d+ serving on tcp:127\.0\.0\.1:{basePort + 1}\b");
        await defuss.WaitForLineAsync("Defuss delivers connections by proxy: Defuss:Delivery is Auto, and BaseWorkerPort");

        var pids = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            pids.Add(await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid"));
        }

        pids.Should().HaveCount(2);
        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
    }

    /// <remarks>
    /// A connection straight to a worker's port with a forged PROXY header is closed before the app sees a byte: the
    /// private endpoint serves only the primary, so serving it without the header's address would still let any local
    /// process reach the app behind the front door's back.
    /// </remarks>
    [Fact]
    public async Task ForgedProxyHeaderOnAWorkersPort_IsClosed_WhileTheFrontDoorStillCarriesTheRealClient()
    {
        var basePort = TestSockets.FreeConsecutivePorts(2);
        await using var defuss = await DefussProcess.StartAsync($"--Defuss:BaseWorkerPort={basePort}");
        await defuss.WaitForLineAsync($@"Worker 0 ready: pid \d+ serving on tcp:127\.0\.0\.1:{basePort}\b");
        await defuss.WaitForLineAsync($@"Worker 1 ready: pid \d+ serving on tcp:127\.0\.0\.1:{basePort + 1}\b");

        var forgedWithoutSecret = await SendForgedAsync(basePort, secret: default);
        var forgedWithAGuess = await SendForgedAsync(basePort + 1, Encoding.ASCII.GetBytes(new string('0', 64)));

        forgedWithoutSecret.Should().BeEmpty("the worker closes a connection whose header does not carry its secret");
        forgedWithAGuess.Should().BeEmpty();
        await defuss.WaitForLineAsync("its PROXY v2 header carries no secret, so it is not from the primary");
        await defuss.WaitForLineAsync("its PROXY v2 header carries a secret that is not this worker's, so it is not from the primary");

        for (var i = 0; i < 2; i++)
        {
            var (seen, local) = await ClientThroughTheFrontDoorAsync(defuss.Port);
            seen.Should().Be(new IPEndPoint(IPAddress.Loopback, local.Port), "each worker still takes the primary's header");
        }

        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
    }

    /// <summary>Connects to a worker's own port, claims to be 198.51.100.1:1111, asks <c>GET /client</c>; returns what came back.</summary>
    private static async Task<string> SendForgedAsync(int workerPort, byte[]? secret)
    {
        using var socket = await HttpTestClient.ConnectAsync(workerPort);
        var header = new byte[ProxyProtocolV2.MaxWrittenLength];
        var length = ProxyProtocolV2.Write(header, new IPEndPoint(IPAddress.Parse("198.51.100.1"), 1111), local: null, secret);

        await TestSockets.SendAsync(socket, header.AsMemory(0, length));
        await TestSockets.SendAsync(socket, ClientRequest);
        return await TestSockets.ReadUntilClosedOrResetAsync(socket, HttpTestClient.Timeout);
    }

    /// <summary>Asks <c>GET /client</c> through the front door from a known local port; returns what the app saw and that port.</summary>
    private static async Task<(IPEndPoint Seen, IPEndPoint Local)> ClientThroughTheFrontDoorAsync(int frontDoorPort)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await socket.ConnectAsync(IPAddress.Loopback, frontDoorPort).WaitAsync(HttpTestClient.Timeout);

        await TestSockets.SendAsync(socket, ClientRequest);
        var response = await HttpTestClient.ReadToEndAsync(socket);

        response.Should().StartWith("HTTP/1.1 200");
        using var client = JsonDocument.Parse(response[response.IndexOf('{', StringComparison.Ordinal)..(response.LastIndexOf('}') + 1)]);
        var seen = new IPEndPoint(IPAddress.Parse(client.RootElement.GetProperty("remoteIp").GetString()!), client.RootElement.GetProperty("remotePort").GetInt32());
        return (seen, (IPEndPoint)socket.LocalEndPoint!);
    }

}
