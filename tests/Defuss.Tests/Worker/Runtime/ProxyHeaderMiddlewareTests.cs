using System.Net;
using System.Net.Sockets;
using System.Text;
using Defuss.Tests.TestSupport;
using Defuss.Worker;
using Defuss.Worker.Protocol;
using Defuss.Worker.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.Worker.Runtime;

public sealed class ProxyHeaderMiddlewareTests
{
    private const string ClientRequest = "GET /client HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    [Fact]
    public async Task OnConnection_ValidHeaderWithTheSecret_MakesItsClientTheRemoteEndpoint()
    {
        await using var worker = await StartWorkerAsync();
        using var socket = await TestSockets.ConnectAsync(new UnixDomainSocketEndPoint(worker.PrivateSocketPath));
        var header = new byte[ProxyProtocolV2.MaxWrittenLength];
        var length = ProxyProtocolV2.Write(header, new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40123), local: null, SecretOf(worker));

        // One write: the worker closes after it has read a header it refuses, and a second write could meet that close.
        await TestSockets.SendAsync(socket, (byte[])[.. header.AsSpan(0, length), .. System.Text.Encoding.Latin1.GetBytes(ClientRequest)]);
        var response = await TestSockets.ReadToEndAsStringAsync(socket);

        response.Should().StartWith("HTTP/1.1 200").And.Contain("203.0.113.7:40123");
    }

    [Theory]
    [InlineData(null, "carries no secret")]
    [InlineData("incarnation-6-secret", "carries a secret that is not this worker's")]
    public async Task OnConnection_HeaderWithoutTheWorkersSecret_ClosesWithoutCallingTheAppAndWarns(string? secret, string reason)
    {
        await using var worker = await StartWorkerAsync();
        using var socket = await TestSockets.ConnectAsync(new UnixDomainSocketEndPoint(worker.PrivateSocketPath));
        var header = new byte[ProxyProtocolV2.MaxWrittenLength];
        var length = ProxyProtocolV2.Write(header, new IPEndPoint(IPAddress.Parse("198.51.100.1"), 1111), local: null, Encoding.UTF8.GetBytes(secret ?? ""));

        // One write: the worker closes after it has read a header it refuses, and a second write could meet that close.
        await TestSockets.SendAsync(socket, (byte[])[.. header.AsSpan(0, length), .. System.Text.Encoding.Latin1.GetBytes(ClientRequest)]);
        var response = await TestSockets.ReadUntilClosedOrResetAsync(socket);

        response.Should().BeEmpty("a forged client address must never reach the app");
        var logged = await worker.Logs.WaitForAsync(e => e.EventId.Id == WorkerEventIds.ProxyHeaderSecretRejected);
        logged.Level.Should().Be(LogLevel.Warning);
        logged.Message.Should().Contain(reason).And.Contain("not from the primary").And.NotContain("incarnation-");
    }

    [Fact]
    public async Task OnConnection_LocalHeaderWithoutTheSecret_ClosesWithoutCallingTheApp()
    {
        await using var worker = await StartWorkerAsync();
        using var socket = await TestSockets.ConnectAsync(new UnixDomainSocketEndPoint(worker.PrivateSocketPath));
        var header = new byte[ProxyProtocolV2.MaxWrittenLength];
        var length = ProxyProtocolV2.WriteLocal(header, secret: default);

        // One write: the worker closes after it has read a header it refuses, and a second write could meet that close.
        await TestSockets.SendAsync(socket, (byte[])[.. header.AsSpan(0, length), .. System.Text.Encoding.Latin1.GetBytes(ClientRequest)]);
        var response = await TestSockets.ReadUntilClosedOrResetAsync(socket);

        response.Should().BeEmpty("only the primary may talk to the private endpoint, with or without a client address");
        (await worker.Logs.WaitForAsync(e => e.EventId.Id == WorkerEventIds.ProxyHeaderSecretRejected)).Message.Should().Contain("carries no secret");
    }

    [Fact]
    public async Task OnConnection_HeaderSplitOverWrites_IsStillRead()
    {
        await using var worker = await StartWorkerAsync();
        using var socket = await TestSockets.ConnectAsync(new UnixDomainSocketEndPoint(worker.PrivateSocketPath));
        var header = new byte[ProxyProtocolV2.MaxWrittenLength];
        var length = ProxyProtocolV2.Write(header, new IPEndPoint(IPAddress.Parse("2001:db8::7"), 443), local: null, SecretOf(worker));

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
        var response = await TestSockets.ReadUntilClosedOrResetAsync(socket);

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
        ProxyProtocolV2.Write(header, new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40123), local: null, SecretOf(worker));

        await TestSockets.SendAsync(socket, header.AsMemory(0, 20));
        socket.Shutdown(SocketShutdown.Send);
        var response = await TestSockets.ReadUntilClosedOrResetAsync(socket);

        response.Should().BeEmpty();
        var logged = await worker.Logs.WaitForAsync(e => e.EventId.Id == WorkerEventIds.ProxyHeaderRejected);
        logged.Message.Should().Contain("ended after 20 bytes");
    }

    [Fact]
    public async Task OnConnection_SilentPeer_IsClosedAfterTheTimeout()
    {
        var clock = new ManualTimeProvider();
        await using var worker = await StartWorkerAsync(clock);
        // The middleware's own timer, told from the worker's others (heartbeats, samples) by when it falls due.
        var headerDue = clock.GetUtcNow() + ProxyHeaderMiddleware.Timeout;
        var timersBefore = clock.TimersDueAt(headerDue);
        using var socket = await TestSockets.ConnectAsync(new UnixDomainSocketEndPoint(worker.PrivateSocketPath));
        await Eventually.TrueAsync(() => clock.TimersDueAt(headerDue) > timersBefore, "the middleware waits for the header");

        clock.Advance(ProxyHeaderMiddleware.Timeout - TimeSpan.FromMilliseconds(1));
        clock.TimersDueAt(headerDue).Should().BeGreaterThan(timersBefore, "the header may still come");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var response = await TestSockets.ReadUntilClosedOrResetAsync(socket);

        response.Should().BeEmpty();
        var logged = await worker.Logs.WaitForAsync(e => e.EventId.Id == WorkerEventIds.ProxyHeaderRejected);
        logged.Message.Should().Contain("no complete header within 5000 ms");
    }

    private static byte[] SecretOf(WorkerHarness worker) => Encoding.UTF8.GetBytes(worker.Settings.Secret);

    private static async Task<WorkerHarness> StartWorkerAsync(TimeProvider? clock = null)
    {
        var worker = await WorkerHarness.StartAsync(
            beforeWorker: builder =>
            {
                if (clock is not null)
                {
                    builder.Services.AddSingleton(clock);
                }
            },
            map: app => app.MapGet(
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
