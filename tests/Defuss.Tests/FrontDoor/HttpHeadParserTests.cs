using System.Net;
using System.Text;
using Defuss.Actors.Routing;
using Defuss.FrontDoor;

namespace Defuss.Tests.FrontDoor;

public sealed partial class HttpHeadParserTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("192.0.2.7"), 51234);

    private static ParsedRequest Parse(string head)
    {
        var bytes = Encoding.Latin1.GetBytes(head);
        return HttpHeadParser.Parse(bytes, Client, bytes);
    }

    [Fact]
    public void Parse_ValidRequest_ReturnsHttp1WithEveryPart()
    {
        var request = Parse("GET /orders HTTP/1.1\r\nHost: shop.example:8080\r\nUser-Agent: test/1.0\r\nAccept: */*\r\n\r\n");

        request.Protocol.Should().Be(RequestProtocol.Http1);
        request.Method.Should().Be("GET");
        request.Path.Should().Be("/orders");
        request.Version.Should().Be("HTTP/1.1");
        request.Host.Should().Be("shop.example:8080");
        request.Headers.Should().Equal(
            new KeyValuePair<string, string>("Host", "shop.example:8080"),
            new KeyValuePair<string, string>("User-Agent", "test/1.0"),
            new KeyValuePair<string, string>("Accept", "*/*"));
        request.ClientAddress.Should().Be(Client.Address);
        request.ClientPort.Should().Be(51234);
        Encoding.Latin1.GetString(request.RawHead.Span).Should().StartWith("GET /orders HTTP/1.1\r\n");
    }

    [Fact]
    public void Parse_RepeatedHeaders_AreKeptInOrder()
    {
        var request = Parse("GET / HTTP/1.1\r\nHost: a\r\nX-Tag: one\r\nAccept: text/html\r\nx-tag: two\r\nX-TAG: three\r\n\r\n");

        request.GetHeaderValues("X-Tag").Should().Equal("one", "two", "three");
        request.Headers.Select(h => h.Key).Should().Equal("Host", "X-Tag", "Accept", "x-tag", "X-TAG");
    }

    [Fact]
    public void Parse_HeaderLookup_IsCaseInsensitive()
    {
        var request = Parse("POST /x HTTP/1.1\r\nhost: lower.example\r\nCONTENT-type: application/json\r\n\r\n");

        request.Host.Should().Be("lower.example");
        request.GetHeader("HOST").Should().Be("lower.example");
        request.GetHeader("content-TYPE").Should().Be("application/json");
        request.GetHeader("missing").Should().BeNull();
    }

    [Fact]
    public void Parse_Query_IsKeptInThePath()
    {
        var request = Parse("GET /search?q=defuss&page=2 HTTP/1.1\r\nHost: a\r\n\r\n");

        request.Path.Should().Be("/search?q=defuss&page=2");
    }

    [Fact]
    public void Parse_Http10WithoutHost_ReturnsHttp1()
    {
        var request = Parse("HEAD /status HTTP/1.0\r\n\r\n");

        request.Protocol.Should().Be(RequestProtocol.Http1);
        request.Version.Should().Be("HTTP/1.0");
        request.Method.Should().Be("HEAD");
        request.Host.Should().BeNull();
        request.Headers.Should().BeEmpty();
    }

    [Fact]
    public void Parse_HeaderValues_AreTrimmedOfOptionalWhitespace()
    {
        var request = Parse("GET / HTTP/1.1\r\nX-A:   spaced  value \t\r\nX-B:\r\nX-C:\tv\r\n\r\n");

        request.GetHeader("X-A").Should().Be("spaced  value");
        request.GetHeader("X-B").Should().Be("");
        request.GetHeader("X-C").Should().Be("v");
    }

    [Fact]
    public void Parse_CustomMethodAndLatin1Value_AreReadAsLatin1()
    {
        var request = Parse("PROPFIND /dav HTTP/1.1\r\nX-Name: caf\u00e9\r\n\r\n");

        request.Method.Should().Be("PROPFIND");
        request.GetHeader("X-Name").Should().Be("caf\u00e9");
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("\r\n\r\n")]
    [InlineData("GET /\r\n\r\n")]
    [InlineData("GET / HTTP/1.1")]
    [InlineData("GET  / HTTP/1.1\r\n\r\n")]
    [InlineData(" GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 \r\n\r\n")]
    [InlineData("GET / HTTP/1.2\r\n\r\n")]
    [InlineData("GET / http/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/2\r\n\r\n")]
    [InlineData("G(ET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET /a b HTTP/1.1\r\n\r\n")]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\n\n")]
    [InlineData("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nName : x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n: no name\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nNoColon\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nX-A: a\r\n folded\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nX-A: a\u0001b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nX-A: a\nb\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n")]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003")]
    public void Parse_MalformedHead_ReturnsUnknown(string head)
    {
        var request = Parse(head);

        request.Protocol.Should().Be(RequestProtocol.Unknown);
        request.Method.Should().BeEmpty();
        request.Headers.Should().BeEmpty();
        request.ClientAddress.Should().Be(Client.Address);
    }

    [Fact]
    public void Parse_Http2Preface_ReturnsUnknown()
    {
        var request = Parse("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

        request.Protocol.Should().Be(RequestProtocol.Unknown);
    }

    [Fact]
    public void Parse_HeadWithoutBlankLine_KeepsTheCompleteHeaderLines()
    {
        var request = Parse("GET /big HTTP/1.1\r\nHost: a\r\nX-One: 1\r\nX-Two: cut sho");

        request.Protocol.Should().Be(RequestProtocol.Http1);
        request.Headers.Select(h => h.Key).Should().Equal("Host", "X-One");
    }

    [Fact]
    public void Parse_TruncatedRequestLine_ReturnsUnknown()
    {
        Parse("GET /index.ht").Protocol.Should().Be(RequestProtocol.Unknown);
        Parse("GET /index.html HTTP/1.1\r").Protocol.Should().Be(RequestProtocol.Unknown);
    }

    [Fact]
    public void Parse_HeadExactlyAtMaxHeaderBytes_ParsesEveryHeader()
    {
        var max = new FrontDoorOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0) }.MaxHeaderBytes;
        var head = HeadOfExactly(max);

        HttpHeadParser.FindHeadEnd(head).Should().Be(max);
        var request = HttpHeadParser.Parse(head, Client, head);

        request.Protocol.Should().Be(RequestProtocol.Http1);
        request.GetHeaderValues("X-Fill").Should().HaveCount(request.Headers.Count - 1).And.OnlyContain(v => v.Length > 0);
        request.RawHead.Length.Should().Be(max);
    }

    [Fact]
    public void Parse_HeadCutAtMaxHeaderBytes_KeepsTheCompleteHeaderLines()
    {
        var head = HeadOfExactly(16 * 1024);
        var cut = head.AsSpan(0, 10_000);

        var request = HttpHeadParser.Parse(cut, Client, cut.ToArray());

        request.Protocol.Should().Be(RequestProtocol.Http1);
        request.Headers.Should().NotBeEmpty();
        request.Headers.Sum(h => h.Key.Length + 2 + h.Value.Length + 2).Should().BeLessThanOrEqualTo(10_000);
    }

    [Fact]
    public void Parse_KnownMethodAndHeaderNames_AreSharedStrings()
    {
        var first = Parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var second = Parse("GET / HTTP/1.1\r\nHost: b\r\n\r\n");

        first.Method.Should().BeSameAs(second.Method);
        first.Headers[0].Key.Should().BeSameAs(second.Headers[0].Key);
    }

    [Fact]
    public void Parse_RandomAndTruncatedInputs_NeverThrow()
    {
        var random = new Random(20240607);
        var valid = Encoding.Latin1.GetBytes("POST /api/items?id=7 HTTP/1.1\r\nHost: example\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello");
        var requestLineLength = Array.IndexOf(valid, (byte)'\r') + 2;
        var tokenish = Encoding.ASCII.GetBytes("GET /HTTP1.0:\r\n \t-xyz");

        for (var i = 0; i < 5000; i++)
        {
            byte[] input = (i % 4) switch
            {
                0 => RandomBytes(random, random.Next(0, 300), null),
                1 => valid[..random.Next(0, valid.Length + 1)],
                2 => Mutate(random, valid),
                _ => RandomBytes(random, random.Next(0, 120), tokenish),
            };

            var request = HttpHeadParser.Parse(input, Client, input);
            HttpHeadParser.FindHeadEnd(input);
            HttpHeadParser.IsPlausibleStart(input);

            request.Should().NotBeNull();
            if (i % 4 == 1)
            {
                var expected = input.Length >= requestLineLength ? RequestProtocol.Http1 : RequestProtocol.Unknown;
                request.Protocol.Should().Be(expected, "a cut-short head parses once its request line is complete ({0} bytes)", input.Length);
                HttpHeadParser.IsPlausibleStart(input).Should().BeTrue("every prefix of a valid head is plausible ({0} bytes)", input.Length);
            }
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 18)]
    [InlineData("GET / HTTP/1.1\r\n\r\nbody", 18)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n", -1)]
    [InlineData("", -1)]
    [InlineData("\r\n\r", -1)]
    public void FindHeadEnd_ReturnsTheIndexAfterTheBlankLine(string text, int expected) =>
        HttpHeadParser.FindHeadEnd(Encoding.Latin1.GetBytes(text)).Should().Be(expected);

    [Theory]
    [InlineData("", true)]
    [InlineData("GE", true)]
    [InlineData("HELLO", true)]
    [InlineData("GET ", true)]
    [InlineData("GET /a?b", true)]
    [InlineData("GET / HTTP/1", true)]
    [InlineData("GET / HTTP/1.1\r", true)]
    [InlineData("GET / HTTP/1.1\r\nHost: a", true)]
    [InlineData("\u0016\u0003\u0001", false)]
    [InlineData("SSH-2.0-OpenSSH_9.6 Ubuntu\r\n", false)]
    [InlineData("PRI * HTTP/2", false)]
    [InlineData(" GET", false)]
    [InlineData("GET  /", false)]
    [InlineData("GET / HTTP/1.1x", false)]
    [InlineData("GET / HTTP/1\r", false)]
    [InlineData("GET / HTTP/1.1\r\r", false)]
    [InlineData("GET / HTTP/1.1\n", false)]
    public void IsPlausibleStart_TellsWhetherBytesCanStillBecomeAHead(string text, bool expected) =>
        HttpHeadParser.IsPlausibleStart(Encoding.Latin1.GetBytes(text)).Should().Be(expected);

    private static byte[] HeadOfExactly(int size)
    {
        var builder = new StringBuilder("GET /fill HTTP/1.1\r\nHost: fill.example\r\n");
        var i = 0;
        while (builder.Length + "X-Fill: \r\n\r\n".Length + 200 < size)
        {
            builder.Append("X-Fill: ").Append(new string((char)('a' + (i++ % 26)), 100)).Append("\r\n");
        }

        var remaining = size - builder.Length - "X-Fill: \r\n\r\n".Length;
        builder.Append("X-Fill: ").Append('z', remaining).Append("\r\n\r\n");
        var bytes = Encoding.ASCII.GetBytes(builder.ToString());
        bytes.Length.Should().Be(size);
        return bytes;
    }

    private static byte[] RandomBytes(Random random, int length, byte[]? alphabet)
    {
        var bytes = new byte[length];
        if (alphabet is null)
        {
            random.NextBytes(bytes);
            return bytes;
        }

        for (var i = 0; i < length; i++)
        {
            bytes[i] = alphabet[random.Next(alphabet.Length)];
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] valid)
    {
        var bytes = (byte[])valid.Clone();
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }

        return bytes[..random.Next(0, bytes.Length + 1)];
    }
}
