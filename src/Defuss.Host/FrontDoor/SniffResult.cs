using System.Net;
using Defuss.Actors.Routing;

namespace Defuss.FrontDoor;

/// <summary>What <see cref="HeadSniffer"/> learned of a new connection.</summary>
/// <param name="Request">The parsed head, or <see cref="ParsedRequest.Unknown"/>.</param>
/// <param name="Prefix">
/// The bytes the sniffer had to read off the socket (the head arrived in pieces); they go to the backend before
/// anything else. Empty when the head was only peeked at, and the bytes are still in the socket.
/// </param>
/// <param name="ClientEof">Whether the client already closed its sending side.</param>
internal readonly record struct SniffResult(ParsedRequest Request, ReadOnlyMemory<byte> Prefix, bool ClientEof)
{
    /// <summary>The client went away (closed or reset) before sending a byte: there is nothing to route.</summary>
    public bool ClientGone => ClientEof && Prefix.IsEmpty;

    /// <summary>A head seen by peeking: the bytes are still in the socket. The head is copied, since the router may keep it.</summary>
    public static SniffResult FromPeek(ReadOnlySpan<byte> head, IPEndPoint? client)
    {
        var rawHead = head.ToArray();
        return new SniffResult(HttpHeadParser.Parse(rawHead, client, rawHead), ReadOnlyMemory<byte>.Empty, ClientEof: false);
    }

    /// <summary>A head read off the socket (it came in pieces): <paramref name="read"/> becomes the prefix, parsed up to its blank line.</summary>
    public static SniffResult FromPrefix(ReadOnlySpan<byte> read, IPEndPoint? client, bool eof)
    {
        var prefix = read.ToArray();
        var headEnd = HttpHeadParser.FindHeadEnd(prefix);
        var rawHead = prefix.AsMemory(0, headEnd >= 0 ? headEnd : prefix.Length);
        return new SniffResult(HttpHeadParser.Parse(rawHead.Span, client, rawHead), prefix, eof);
    }

    /// <summary>Nothing arrived within the inspection timeout: routed with no head, nothing read.</summary>
    public static SniffResult Silent(IPEndPoint? client) => new(ParsedRequest.Unknown(client, ReadOnlyMemory<byte>.Empty), ReadOnlyMemory<byte>.Empty, ClientEof: false);

    /// <summary>The result for a client that went away before sending a byte.</summary>
    public static SniffResult Gone(IPEndPoint? client) => new(ParsedRequest.Unknown(client, ReadOnlyMemory<byte>.Empty), ReadOnlyMemory<byte>.Empty, ClientEof: true);
}
