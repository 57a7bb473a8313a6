using System.Text;
using Defuss.Actors.Routing;
using Defuss.FrontDoor;

namespace Defuss.Tests.FrontDoor;

/// <summary>
/// The parser allocates nothing it does not return: after a warm-up, the bytes a parse allocates on this thread are at
/// most what copies of the returned request's own objects take (the request, its header list and every string it does
/// not share with the parser's tables).
/// </summary>
public sealed partial class HttpHeadParserTests
{
    /// <summary>A desktop browser's navigation with a session cookie (as bench/Defuss.Bench's HttpHeadParserBenchmarks).</summary>
    private const string BrowserHead =
        "GET /orders?id=7 HTTP/1.1\r\n" +
        "Host: shop.example.com\r\n" +
        "Connection: keep-alive\r\n" +
        "sec-ch-ua: \"Chromium\";v=\"130\", \"Google Chrome\";v=\"130\", \"Not?A_Brand\";v=\"99\"\r\n" +
        "sec-ch-ua-mobile: ?0\r\n" +
        "sec-ch-ua-platform: \"Linux\"\r\n" +
        "Upgrade-Insecure-Requests: 1\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8\r\n" +
        "Sec-Fetch-Site: none\r\n" +
        "Sec-Fetch-Mode: navigate\r\n" +
        "Sec-Fetch-User: ?1\r\n" +
        "Sec-Fetch-Dest: document\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Accept-Language: en-US,en;q=0.9\r\n" +
        "Cookie: session=s-42; theme=dark\r\n" +
        "\r\n";

    [Fact]
    public void Parse_BrowserHead_AllocatesOnlyTheRequestItReturns()
    {
        var (request, allocated) = ParseMeasured(BrowserHead);

        request.Headers.Should().HaveCount(15);
        allocated.Should().BeLessThanOrEqualTo(OwnBytesOf(request));
    }

    [Fact]
    public void Parse_BrowserHead_SharesEveryHeaderName()
    {
        var (request, _) = ParseMeasured(BrowserHead);

        request.Headers.Should().OnlyContain(h => ReferenceEquals(string.IsInterned(h.Key), h.Key), "a browser's header names are in the parser's table");
    }

    [Fact]
    public void Parse_HundredUnknownHeaders_AllocatesOnlyTheRequestItReturns()
    {
        var head = "POST /items HTTP/1.1\r\nHost: a\r\n"
            + string.Concat(Enumerable.Range(0, 100).Select(i => $"X-Custom-{i}: value {i}\r\n")) + "\r\n";

        var (request, allocated) = ParseMeasured(head);

        request.Headers.Should().HaveCount(101);
        allocated.Should().BeLessThanOrEqualTo(OwnBytesOf(request));
    }

    [Fact]
    public void Parse_HeadInvalidInItsLastLine_AllocatesOnlyTheUnknownRequest()
    {
        var head = "GET / HTTP/1.1\r\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"X-Custom-{i}: value\r\n")) + "Bad Name: x\r\n\r\n";

        var (request, allocated) = ParseMeasured(head);

        request.Protocol.Should().Be(RequestProtocol.Unknown);
        allocated.Should().BeLessThanOrEqualTo(OwnBytesOf(request), "every line is validated before the first string is made");
    }

    [Fact]
    public void GetHeader_AllocatesNothing()
    {
        var (request, _) = ParseMeasured(BrowserHead);
        request.GetHeader("cookie");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var cookie = request.GetHeader("cookie");
        var missing = request.GetHeader("X-Session-Id");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        cookie.Should().Be("session=s-42; theme=dark");
        missing.Should().BeNull();
        allocated.Should().Be(0);
    }

    /// <summary>Parses <paramref name="head"/> once to warm up (JIT, statics), then again while counting this thread's allocations.</summary>
    private static (ParsedRequest Request, long Allocated) ParseMeasured(string head)
    {
        var bytes = Encoding.Latin1.GetBytes(head);
        HttpHeadParser.Parse(bytes, Client, bytes);
        HttpHeadParser.Parse(bytes, Client, bytes);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var request = HttpHeadParser.Parse(bytes, Client, bytes);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return (request, allocated);
    }

    /// <summary>
    /// What copies of the request's own objects take: the request, a list of its headers, and each string it holds
    /// once (a literal it shares with the parser's tables is interned, and not its own).
    /// </summary>
    private static long OwnBytesOf(ParsedRequest request)
    {
        var total = BytesAllocatedBy(() => new ParsedRequest(
            request.Protocol, request.Method, request.Path, request.Version, request.Host, request.Headers, Client, request.RawHead));
        if (request.Headers.Count > 0)
        {
            total += BytesAllocatedBy(() => new List<KeyValuePair<string, string>>(request.Headers));
        }

        var strings = new HashSet<string>(ReferenceEqualityComparer.Instance) { request.Method, request.Path, request.Version };
        if (request.Host is not null)
        {
            strings.Add(request.Host);
        }

        foreach (var (name, value) in request.Headers)
        {
            strings.Add(name);
            strings.Add(value);
        }

        foreach (var text in strings.Where(s => !ReferenceEquals(string.IsInterned(s), s)))
        {
            total += BytesAllocatedBy(() => new string(text.AsSpan()));
        }

        total.Should().BePositive("the measurement must see allocations at all");
        return total;
    }

    private static long BytesAllocatedBy(Func<object> allocate)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var allocated = allocate();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(allocated);
        return bytes;
    }
}
