using System.Net;
using System.Net.Sockets;
using System.Text;
using Defuss.Tests.TestSupport;
using Defuss.Worker;
using Defuss.Worker.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Defuss.Tests.Worker.Runtime;

public sealed class ProxyHeaderMiddlewareTests
{
    private const string ClientRequest = "GET /client HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    [Fact]
    public async Task OnConnection_ValidHeader_MakesItsClientTheRemoteEndpoint()
    {
        await using var worker = await StartWorkerAsync();
        using var socket = await TestSockets.ConnectAsync(new UnixDomainSocketEndPoint(worker.PrivateSocketPath));
        var header = new byte[ProxyProtocolV2.MaxWrittenLength];
        var length = ProxyProtocolV2.Write(header, new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40123), local: null);

        await TestSockets.SendAsync(socket, header.AsMemory(0, length));
        await TestSockets.SendAsync(socket, ClientRequest);
        var response = await TestSockets.ReadToEndAsStringAsync(socket);

        response.Should().StartWith("HTTP/1.1 200").And.Contain("203.0.113.7:40123");
    }

    [Fact]
    public async Task OnConnection_HeaderSplitOverWrites_IsStillRead()
    {
        await using var worker = await StartWorkerAsync();
        using var socket = await TestSockets.ConnectAsync(new UnixDomainSocketEndPoint(worker.PrivateSocketPath));
        var header = new byte[ProxyProtocolV2.MaxWrittenLength];
        var length = ProxyProtocolV2.Write(header, new IPEndPoint(IPAddress.Parse("2001:db8::7"), 443), local: null);

        await TestSockets.SendAsync(socket, header.AsMemory(0, 10));
        await TestSockets.SendAsync(socket, header.AsMemory(10, length - 10));
        await TestSockets.SendAsync(socket, ClientRequest);
        var response = await TestSockets.ReadToEndAsStringAsync(socket);

        response.Should().StartWith("HTTP/1.1 200").And.Contain("2001:db8::7:443");
    }

    [Fact]
    public async Task OnConnection_NoHeader_ClosesTheConnectionAndLogsWhy()
    {
        await using var worker = await StartWorkerAsync();
        using var socket = await TestSockets.ConnectAsync(new UnixDomainSocketEndPoint(worker.PrivateSocketPath));

        await TestSockets.SendAsync(socket, ClientRequest);
        var response = await TestSockets.ReadToEndAsStringAsync(socket);

        response.Should().BeEmpty("only the primary, which always sends the header, may talk to the private endpoint");
        var logged = await worker.Logs.WaitForAsync(e => e.EventId.Id == WorkerEventIds.ProxyHeaderRejected);
        logged.Message.Should().Contain("signature");
    }

    [Fact]
    public async Task OnConnection_ClosedMidHeader_ClosesWithoutCallingTheApp()
    {
        await using var worker = await StartWorkerAsync();
        using var socket = await TestSockets.ConnectAsync(new UnixDomainSocketEndPoint(worker.PrivateSocketPath));
        var header = new byte[ProxyProtocolV2.MaxWrittenLength];
        ProxyProtocolV2.Write(header, new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40123), local: null);

        await TestSockets.SendAsync(socket, header.AsMemory(0, 20));
        socket.Shutdown(SocketShutdown.Send);
        var response = await TestSockets.ReadToEndAsStringAsync(socket);

        response.Should().BeEmpty();
        var logged = await worker.Logs.WaitForAsync(e => e.EventId.Id == WorkerEventIds.ProxyHeaderRejected);
        logged.Message.Should().Contain("ended after 20 bytes");
    }

    private static async Task<WorkerHarness> StartWorkerAsync()
    {
        var worker = await WorkerHarness.StartAsync(map: app => app.MapGet(
            "/client",
            (HttpContext context) => $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}"));
        try
        {
            await worker.Primary.ReadUntilAsync<Ready>();
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }
}
