using System.Net;

namespace Defuss.Actors.Routing;

/// <summary>What the front door read of a connection's first bytes.</summary>
public enum RequestProtocol
{
    /// <summary>The bytes are not (or not yet) an HTTP/1.x request head.</summary>
    Unknown,

    /// <summary>An HTTP/1.0 or HTTP/1.1 request head.</summary>
    Http1,
}

/// <summary>
/// The request head of a new connection as the front door parsed it, before any byte reached a worker.
/// Header names compare case-insensitively and repeated headers are kept in order.
/// </summary>
public sealed class ParsedRequest
{
    private static readonly IReadOnlyList<KeyValuePair<string, string>> NoHeaders = [];

    /// <summary>A request the front door could not parse (not HTTP, or the head did not arrive in time).</summary>
    public static ParsedRequest Unknown(IPEndPoint? client, ReadOnlyMemory<byte> rawHead) =>
        new(RequestProtocol.Unknown, "", "", "", null, NoHeaders, client, rawHead);

    /// <summary>A parsed request head; <paramref name="client"/> gives <see cref="ClientAddress"/> and <see cref="ClientPort"/>.</summary>
    public ParsedRequest(
        RequestProtocol protocol,
        string method,
        string path,
        string version,
        string? host,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        IPEndPoint? client,
        ReadOnlyMemory<byte> rawHead)
    {
        Protocol = protocol;
        Method = method;
        Path = path;
        Version = version;
        Host = host;
        Headers = headers;
        ClientAddress = client?.Address;
        ClientPort = client?.Port ?? 0;
        RawHead = rawHead;
    }

    /// <summary><see cref="RequestProtocol.Http1"/> when the head parsed as HTTP/1.x.</summary>
    public RequestProtocol Protocol { get; }

    /// <summary>The method, such as <c>GET</c>; empty when unknown.</summary>
    public string Method { get; }

    /// <summary>The request target with its query, such as <c>/orders?id=7</c>; empty when unknown.</summary>
    public string Path { get; }

    /// <summary>The version, such as <c>HTTP/1.1</c>; empty when unknown.</summary>
    public string Version { get; }

    /// <summary>The <c>Host</c> header, if any.</summary>
    public string? Host { get; }

    /// <summary>Every header in the order it arrived, repeated ones included.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The client's address, as the front door accepted it.</summary>
    public IPAddress? ClientAddress { get; }

    /// <summary>The client's port.</summary>
    public int ClientPort { get; }

    /// <summary>The bytes of the head as they arrived (up to the blank line, or what arrived in time).</summary>
    public ReadOnlyMemory<byte> RawHead { get; }

    /// <summary>The first value of header <paramref name="name"/> (case-insensitive), or <c>null</c>.</summary>
    public string? GetHeader(string name)
    {
        // By index: a foreach over the interface would box the list's enumerator on every lookup, and routers look up
        // on every connection.
        var headers = Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            if (string.Equals(headers[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return headers[i].Value;
            }
        }

        return null;
    }

    /// <summary>Every value of header <paramref name="name"/> (case-insensitive), in order.</summary>
    public IEnumerable<string> GetHeaderValues(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>The request line, such as <c>GET /orders HTTP/1.1</c>, or <c>(unknown protocol)</c>.</summary>
    public override string ToString() =>
        Protocol == RequestProtocol.Http1 ? $"{Method} {Path} {Version}" : "(unknown protocol)";
}
