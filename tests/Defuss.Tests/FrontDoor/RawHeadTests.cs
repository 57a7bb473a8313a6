using System.Net;
using System.Net.Sockets;
using System.Text;
using Defuss.Actors.Routing;
using Defuss.FrontDoor;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.FrontDoor;

public sealed partial class RawHeadTests
{
    private const int MaxHeaderBytes = 16 * 1024;

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.Latin1.GetString(bytes.Span);

    /// <summary>Steps until a result, waiting in poll for each new arrival (a null step has read off all there was).</summary>
    private static SniffResult StepUntilResult(RawHead head, RawLoopbackConnection connection, byte[] peekBuffer)
    {
        var deadline = Environment.TickCount64 + (long)TestTimeouts.Default.TotalMilliseconds;
        while (true)
        {
            if (head.Step(peekBuffer) is { } result)
            {
                return result;
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException("The head never came to a result.");
            }

            connection.WaitReadable();
        }
    }

    [Fact]
    public async Task Step_WholeHeadOnFirstPeek_ParsesItAndLeavesTheBytesInTheSocket()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var head = connection.Head(MaxHeaderBytes, TestTimeouts.Default);
        const string Head = "GET /peek?x=1 HTTP/1.1\r\nHost: peek.example\r\n\r\n";
        var sent = Encoding.ASCII.GetBytes(Head + "body-bytes");
        connection.Send(sent);
        connection.WaitReadable();

        var result = head.Step(new byte[MaxHeaderBytes]);

        result.Should().NotBeNull();
        result!.Value.Request.Protocol.Should().Be(RequestProtocol.Http1);
        result.Value.Request.Path.Should().Be("/peek?x=1");
        result.Value.Request.Host.Should().Be("peek.example");
        Text(result.Value.Request.RawHead).Should().Be(Head);
        result.Value.Request.ClientAddress.Should().Be(IPAddress.Loopback);
        result.Value.Prefix.IsEmpty.Should().BeTrue();
        result.Value.ClientEof.Should().BeFalse();
        TestDescriptors.ReceiveExactly(connection.Fd, sent.Length).Should().Equal(sent, "peeked bytes stay in the socket for the worker");
    }

    [Fact]
    public async Task Step_HeadInTwoPieces_WaitsThenReturnsEverythingReadAsThePrefix()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var head = connection.Head(MaxHeaderBytes, TestTimeouts.Default);
        var peekBuffer = new byte[MaxHeaderBytes];
        connection.Send("GET /two HTTP/1.1\r\nHo");
        connection.WaitReadable();

        head.Step(peekBuffer).Should().BeNull("the head is not whole");
        TestDescriptors.Pending(connection.Fd).Should().Be(0, "what came is read off, so that a wait wakes only on new bytes");

        connection.Send("st: two.example\r\n\r\nbody");
        connection.WaitReadable();
        var result = head.Step(peekBuffer);

        result.Should().NotBeNull();
        Text(result!.Value.Prefix).Should().Be("GET /two HTTP/1.1\r\nHost: two.example\r\n\r\nbody");
        Text(result.Value.Request.RawHead).Should().Be("GET /two HTTP/1.1\r\nHost: two.example\r\n\r\n");
        result.Value.Request.Host.Should().Be("two.example");
        result.Value.ClientEof.Should().BeFalse();
        TestDescriptors.Pending(connection.Fd).Should().Be(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Step_BlankLineSplitAcrossPieces_FindsTheEndOfTheHead(int terminatorBytesInFirstPiece)
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var head = connection.Head(MaxHeaderBytes, TestTimeouts.Default);
        var peekBuffer = new byte[MaxHeaderBytes];
        const string Head = "GET /cut HTTP/1.1\r\nHost: cut.example\r\n\r\n";
        var cut = Head.Length - 4 + terminatorBytesInFirstPiece;
        connection.Send(Head[..cut]);
        connection.WaitReadable();
        head.Step(peekBuffer).Should().BeNull();

        connection.Send(Head[cut..]);
        connection.WaitReadable();
        var result = head.Step(peekBuffer);

        result.Should().NotBeNull("the blank line is whole once the second piece is there");
        Text(result!.Value.Prefix).Should().Be(Head);
        result.Value.Request.Host.Should().Be("cut.example");
    }

    [Fact]
    public async Task Step_BytesThatCannotBeHttp_RoutesAtOnceWithoutConsuming()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var head = connection.Head(MaxHeaderBytes, TestTimeouts.Default);
        byte[] clientHello = [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03];
        connection.Send(clientHello);
        connection.WaitReadable();

        var result = head.Step(new byte[MaxHeaderBytes]);

        result.Should().NotBeNull("bytes that cannot start an HTTP/1 request are routed without waiting");
        result!.Value.Request.Protocol.Should().Be(RequestProtocol.Unknown);
        result.Value.Prefix.IsEmpty.Should().BeTrue();
        result.Value.ClientGone.Should().BeFalse();
        TestDescriptors.ReceiveExactly(connection.Fd, clientHello.Length).Should().Equal(clientHello);
    }

    [Fact]
    public async Task Step_PlausibleStartThenGarbage_RoutesWithWhatWasRead()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var head = connection.Head(MaxHeaderBytes, TestTimeouts.Default);
        var peekBuffer = new byte[MaxHeaderBytes];
        connection.Send("GE");
        connection.WaitReadable();
        head.Step(peekBuffer).Should().BeNull("\"GE\" may begin a GET");

        connection.Send([0x16, 0x03, 0x01]);
        connection.WaitReadable();
        var result = head.Step(peekBuffer);

        result.Should().NotBeNull();
        result!.Value.Request.Protocol.Should().Be(RequestProtocol.Unknown);
        result.Value.Prefix.ToArray().Should().Equal((byte)'G', (byte)'E', 0x16, 0x03, 0x01);
        result.Value.ClientEof.Should().BeFalse();
    }

    [Fact]
    public async Task Step_ClientClosedBeforeSending_ReportsGone()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var head = connection.Head(MaxHeaderBytes, TestTimeouts.Default);

        connection.Client.Shutdown(SocketShutdown.Send);
        var result = StepUntilResult(head, connection, new byte[MaxHeaderBytes]);

        result.ClientGone.Should().BeTrue();
        result.Request.Protocol.Should().Be(RequestProtocol.Unknown);
    }

    [Fact]
    public async Task Step_ClientClosedAfterPartOfAHead_ReturnsThePrefixWithTheEnd()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var head = connection.Head(MaxHeaderBytes, TestTimeouts.Default);

        connection.Send("GET /eof HTTP/1.1\r\n");
        connection.Client.Shutdown(SocketShutdown.Send);
        var result = StepUntilResult(head, connection, new byte[MaxHeaderBytes]);

        Text(result.Prefix).Should().Be("GET /eof HTTP/1.1\r\n");
        result.ClientEof.Should().BeTrue();
        result.ClientGone.Should().BeFalse("the client sent bytes, which the worker must get");
        result.Request.Path.Should().Be("/eof");
    }

    [Fact]
    public async Task Step_HeadLongerThanTheLimitOnFirstPeek_StopsAtTheLimitWithoutConsuming()
    {
        const int Limit = 64;
        using var connection = await RawLoopbackConnection.OpenAsync();
        var head = connection.Head(Limit, TestTimeouts.Default);
        var sent = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nX-Long: " + new string('a', 200) + "\r\n\r\n");
        connection.Send(sent);
        connection.WaitReadable();

        var result = head.Step(new byte[Limit]);

        result.Should().NotBeNull("a head that fills the limit is routed with what fits");
        result!.Value.Request.RawHead.ToArray().Should().Equal(sent[..Limit]);
        result.Value.Prefix.IsEmpty.Should().BeTrue();
        TestDescriptors.ReceiveExactly(connection.Fd, sent.Length).Should().Equal(sent);
    }

    [Fact]
    public async Task Step_HeadGrowingPastTheLimit_ReadsExactlyTheLimit()
    {
        const int Limit = 64;
        using var connection = await RawLoopbackConnection.OpenAsync();
        var head = connection.Head(Limit, TestTimeouts.Default);
        var peekBuffer = new byte[Limit];
        var sent = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nX-Long: " + new string('a', 100));
        connection.Send(sent.AsSpan(0, 24));
        connection.WaitReadable();
        head.Step(peekBuffer).Should().BeNull();

        connection.Send(sent.AsSpan(24));
        connection.WaitReadable();
        var result = head.Step(peekBuffer);

        result.Should().NotBeNull();
        result!.Value.Prefix.ToArray().Should().Equal(sent[..Limit]);
        TestDescriptors.ReceiveExactly(connection.Fd, sent.Length - Limit).Should().Equal(sent[Limit..], "what is past the limit stays in the socket");
    }

    [Fact]
    public async Task Expire_NothingArrived_IsSilent()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var head = connection.Head(MaxHeaderBytes, TestTimeouts.Default);
        head.Step(new byte[MaxHeaderBytes]).Should().BeNull();

        var result = head.Expire();

        result.Request.Protocol.Should().Be(RequestProtocol.Unknown);
        result.Request.RawHead.IsEmpty.Should().BeTrue();
        result.Prefix.IsEmpty.Should().BeTrue();
        result.ClientEof.Should().BeFalse("a silent client is routed, not dropped");
    }

    [Fact]
    public async Task Expire_AfterPartOfAHead_RoutesWhatWasRead()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var head = connection.Head(MaxHeaderBytes, TestTimeouts.Default);
        connection.Send("GET /slow HTTP/1.1\r\nHost: slow.example\r\n");
        connection.WaitReadable();
        head.Step(new byte[MaxHeaderBytes]).Should().BeNull();

        var result = head.Expire();

        Text(result.Prefix).Should().Be("GET /slow HTTP/1.1\r\nHost: slow.example\r\n");
        result.Request.Path.Should().Be("/slow");
        result.Request.Host.Should().Be("slow.example");
        result.ClientEof.Should().BeFalse();
    }
}
