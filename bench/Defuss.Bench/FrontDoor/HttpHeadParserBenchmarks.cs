using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Defuss.Actors.Routing;
using Defuss.FrontDoor;

namespace Defuss.Bench.FrontDoor;

/// <summary>
/// The front door's request-head parser on a typical browser navigation (15 headers), and the header lookup a
/// request-aware router makes on the result. The allocated bytes should be the returned request and nothing else.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class HttpHeadParserBenchmarks
{
    /// <summary>What a desktop browser sends for a page with a session cookie.</summary>
    public const string BrowserHead =
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

    private static readonly IPEndPoint Client = new(IPAddress.Parse("192.0.2.7"), 51234);

    private readonly byte[] _head = Encoding.Latin1.GetBytes(BrowserHead);
    private ParsedRequest _parsed = null!;

    [GlobalSetup]
    public void Setup() => _parsed = HttpHeadParser.Parse(_head, Client, _head);

    /// <summary>One head parsed into a <see cref="ParsedRequest"/>.</summary>
    [Benchmark]
    public ParsedRequest Parse() => HttpHeadParser.Parse(_head, Client, _head);

    /// <summary>A lookup of the last header, as a router keyed on a cookie or a header makes on every connection.</summary>
    [Benchmark]
    public string? GetHeader() => _parsed.GetHeader("cookie");
}
