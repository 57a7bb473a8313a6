using System.Net;
using System.Net.Sockets;
using System.Text;
using Defuss.Actors.Routing;
using Defuss.FrontDoor;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.FrontDoor;

public sealed class HeadSnifferTests
{
    private static HeadSniffer Sniffer(TimeSpan inspectionTimeout, int maxHeaderBytes = 16 * 1024) =>
        new(new FrontDoorOptions
        {
            Endpoint = new IPEndPoint(IPAddress.Loopback, 0),
            RequestInspectionTimeout = inspectionTimeout,
            MaxHeaderBytes = maxHeaderBytes,
        }, TimeProvider.System);

    private static Task<SniffResult> SniffAsync(HeadSniffer sniffer, Socket accepted) =>
        sniffer.SniffAsync(accepted, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);

    [Fact]
    public async Task SniffAsync_WholeHeadArrived_ParsesItWithoutConsuming()
    {
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var __ = accepted;
        var sent = Encoding.ASCII.GetBytes("GET /peek?x=1 HTTP/1.1\r\nHost: peek.example\r\n\r\nbody-bytes");
        await TestSockets.SendAsync(client, sent);

        var result = await SniffAsync(Sniffer(TestTimeouts.Default), accepted);

        result.Request.Protocol.Should().Be(RequestProtocol.Http1);
        result.Request.Path.Should().Be("/peek?x=1");
        result.Request.Host.Should().Be("peek.example");
        result.Request.RawHead.Length.Should().Be(sent.Length - "body-bytes".Length);
        result.Request.ClientAddress.Should().Be(IPAddress.Loopback);
        result.Prefix.IsEmpty.Should().BeTrue();
        result.ClientEof.Should().BeFalse();
        (await TestSockets.ReadExactlyAsync(accepted, sent.Length)).Should().Equal(sent, "peeked bytes stay in the socket");
    }

    [Fact]
    public async Task SniffAsync_HeadInThreePieces_ReadsThemIntoAPrefixToReplay()
    {
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var __ = accepted;
        string[] pieces = ["GET /pieces HTTP/1.1\r\nHo", "st: pieces.example\r\nX-Part: two\r\n", "X-Part: three\r\n\r\n"];

        // The first piece is queued before the sniff starts, so the sniffer must consume it to wait for the rest;
        // each later piece is written only once the socket's queue is empty again, so they arrive apart.
        await TestSockets.SendAsync(client, pieces[0]);
        var sniff = SniffAsync(Sniffer(TestTimeouts.Default), accepted);
        foreach (var piece in pieces[1..])
        {
            await Eventually.TrueAsync(() => accepted.Available == 0, "the sniffer has read what arrived");
            sniff.IsCompleted.Should().BeFalse("the head is not complete yet");
            await TestSockets.SendAsync(client, piece);
        }

        var result = await sniff;

        result.Request.Protocol.Should().Be(RequestProtocol.Http1);
        result.Request.Host.Should().Be("pieces.example");
        result.Request.GetHeaderValues("X-Part").Should().Equal("two", "three");
        Encoding.ASCII.GetString(result.Prefix.Span).Should().Be(string.Concat(pieces));
        result.Request.RawHead.ToArray().Should().Equal(result.Prefix.ToArray());
        accepted.Available.Should().Be(0);
    }

    [Fact]
    public async Task SniffAsync_BytesThatCannotBeHttp_RoutesUnknownAtOnceWithoutConsuming()
    {
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var __ = accepted;
        byte[] clientHello = [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03];
        await TestSockets.SendAsync(client, clientHello);

        // An hour-long inspection timeout: only the early answer can pass this test.
        var result = await SniffAsync(Sniffer(TimeSpan.FromHours(1)), accepted);

        result.Request.Protocol.Should().Be(RequestProtocol.Unknown);
        result.Prefix.IsEmpty.Should().BeTrue();
        result.Request.RawHead.ToArray().Should().Equal(clientHello);
        (await TestSockets.ReadExactlyAsync(accepted, clientHello.Length)).Should().Equal(clientHello);
    }

    [Fact]
    public async Task SniffAsync_IncompleteBytesUntilTheTimeout_RoutesUnknownWithThemAsPrefix()
    {
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var __ = accepted;
        await TestSockets.SendAsync(client, "HELLO");

        var result = await SniffAsync(Sniffer(TimeSpan.FromMilliseconds(100)), accepted);

        result.Request.Protocol.Should().Be(RequestProtocol.Unknown);
        Encoding.ASCII.GetString(result.Prefix.Span).Should().Be("HELLO");
        result.ClientEof.Should().BeFalse();
    }

    [Fact]
    public async Task SniffAsync_RequestLineButNoBlankLineByTheTimeout_RoutesHttp1WithCompleteHeaders()
    {
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var __ = accepted;
        const string Sent = "GET /slow HTTP/1.1\r\nHost: slow.example\r\nX-Cut: ha";
        await TestSockets.SendAsync(client, Sent);

        var result = await SniffAsync(Sniffer(TimeSpan.FromMilliseconds(100)), accepted);

        result.Request.Protocol.Should().Be(RequestProtocol.Http1);
        result.Request.Headers.Select(h => h.Key).Should().Equal("Host");
        Encoding.ASCII.GetString(result.Prefix.Span).Should().Be(Sent);
    }

    [Fact]
    public async Task SniffAsync_NothingSent_RoutesUnknownAfterTheTimeout()
    {
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var __ = accepted;

        var result = await SniffAsync(Sniffer(TimeSpan.FromMilliseconds(50)), accepted);

        result.Request.Protocol.Should().Be(RequestProtocol.Unknown);
        result.Prefix.IsEmpty.Should().BeTrue();
        result.ClientEof.Should().BeFalse();
        result.ClientGone.Should().BeFalse();
    }

    [Fact]
    public async Task SniffAsync_ClientClosesWithoutSending_ReportsItGone()
    {
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var __ = accepted;
        client.Dispose();

        var result = await SniffAsync(Sniffer(TestTimeouts.Default), accepted);

        result.ClientGone.Should().BeTrue();
    }

    [Fact]
    public async Task SniffAsync_ClientResetsMidHead_ReportsItGone()
    {
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var __ = accepted;
        await TestSockets.SendAsync(client, "GET /reset HTTP/1.1\r\n");
        var sniff = SniffAsync(Sniffer(TestTimeouts.Default), accepted);
        await Eventually.TrueAsync(() => accepted.Available == 0, "the sniffer has read what arrived");

        client.Close(0);
        var result = await sniff;

        result.ClientGone.Should().BeTrue();
    }

    [Fact]
    public async Task SniffAsync_ClientHalfClosesMidHead_ReturnsWhatArrivedWithEof()
    {
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var __ = accepted;
        await TestSockets.SendAsync(client, "GET /eof HTTP/1.0\r\n");
        client.Shutdown(SocketShutdown.Send);

        var result = await SniffAsync(Sniffer(TestTimeouts.Default), accepted);

        result.Request.Protocol.Should().Be(RequestProtocol.Http1);
        result.ClientEof.Should().BeTrue();
        result.ClientGone.Should().BeFalse();
        Encoding.ASCII.GetString(result.Prefix.Span).Should().Be("GET /eof HTTP/1.0\r\n");
    }

    [Fact]
    public async Task SniffAsync_HeadLargerThanMaxHeaderBytes_ParsesTheFirstBytesWithoutConsuming()
    {
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var __ = accepted;
        var head = "GET /large HTTP/1.1\r\nHost: large.example\r\n" + string.Concat(Enumerable.Repeat("X-Pad: " + new string('p', 90) + "\r\n", 40)) + "\r\n";
        var sent = Encoding.ASCII.GetBytes(head);
        await TestSockets.SendAsync(client, sent);

        var result = await SniffAsync(Sniffer(TestTimeouts.Default, maxHeaderBytes: 1024), accepted);

        result.Request.Protocol.Should().Be(RequestProtocol.Http1);
        result.Request.Host.Should().Be("large.example");
        result.Request.RawHead.Length.Should().Be(1024);
        result.Prefix.IsEmpty.Should().BeTrue();
        accepted.Available.Should().Be(sent.Length);
    }

    [Fact]
    public async Task SniffAsync_Cancelled_ReportsTheClientGone()
    {
        var (client, accepted) = await TestSockets.ConnectedPairAsync();
        using var _ = client;
        using var __ = accepted;
        using var abort = new CancellationTokenSource();

        var sniff = Sniffer(TimeSpan.FromHours(1)).SniffAsync(accepted, abort.Token).AsTask();
        await abort.CancelAsync();
        var result = await sniff.WaitAsync(TestTimeouts.Default);

        result.ClientGone.Should().BeTrue();
    }
}
