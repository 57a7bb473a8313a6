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

    /// <summary>The result for a client that went away before sending a byte.</summary>
    public static SniffResult Gone(IPEndPoint? client) => new(ParsedRequest.Unknown(client, ReadOnlyMemory<byte>.Empty), ReadOnlyMemory<byte>.Empty, ClientEof: true);
}
