using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Defuss.Actors.Routing;

namespace Defuss.FrontDoor;

/// <summary>
/// Gets a new connection's request head for routing, within <see cref="FrontDoorOptions.RequestInspectionTimeout"/>
/// and <see cref="FrontDoorOptions.MaxHeaderBytes"/>, leaving the bytes in the socket whenever it can.
/// </summary>
/// <remarks>
/// It first peeks. A head that is complete (or fills the limit, or cannot be HTTP/1.x) is parsed without being
/// consumed, so the pump (or a later handoff) sends the bytes on untouched. A head that arrives in pieces cannot be
/// waited for by peeking (a peek returns at once while any byte is queued), so what has arrived is read off the
/// socket and the reading goes on until the blank line, the limit or the timeout; those bytes are the prefix
/// that the delivery writes to the backend first. When nothing arrives in time the connection is routed as
/// <see cref="RequestProtocol.Unknown"/>: the protocol may be one where the server speaks first.
/// </remarks>
internal sealed class HeadSniffer
{
    private readonly int _maxHeaderBytes;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    public HeadSniffer(FrontDoorOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxHeaderBytes);
        _maxHeaderBytes = options.MaxHeaderBytes;
        _timeout = options.RequestInspectionTimeout;
        _timeProvider = timeProvider;
    }

    /// <summary>Sniffs <paramref name="client"/>'s head. Never throws for anything the client does.</summary>
    public async ValueTask<SniffResult> SniffAsync(Socket client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var clientEndPoint = ClientEndPointOf(client);
        var rented = ArrayPool<byte>.Shared.Rent(_maxHeaderBytes);
        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        try
        {
            var window = rented.AsMemory(0, _maxHeaderBytes);
            int peeked;
            try
            {
                peeked = await client.ReceiveAsync(window, SocketFlags.Peek, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return SniffResult.Silent(clientEndPoint);
            }

            if (peeked == 0)
            {
                return SniffResult.Gone(clientEndPoint);
            }

            var seen = window.Span[..peeked];
            var headEnd = HttpHeadParser.FindHeadEnd(seen);
            if (headEnd >= 0 || peeked == _maxHeaderBytes || !HttpHeadParser.IsPlausibleStart(seen))
            {
                return SniffResult.FromPeek(seen[..(headEnd >= 0 ? headEnd : peeked)], clientEndPoint);
            }

            return await ReadInPiecesAsync(client, window, peeked, clientEndPoint, timeout.Token, cancellationToken);
        }
        catch (Exception exception) when (SocketErrors.IsConnectionEnd(exception) || exception is OperationCanceledException)
        {
            // A reset, or the front door aborting its connections: either way there is no one left to route.
            return SniffResult.Gone(clientEndPoint);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static async ValueTask<SniffResult> ReadInPiecesAsync(
        Socket client, Memory<byte> window, int peeked, IPEndPoint? clientEndPoint, CancellationToken timeout, CancellationToken aborted)
    {
        var filled = 0;
        var eof = false;
        while (true)
        {
            int read;
            try
            {
                read = await client.ReceiveAsync(window[filled..], SocketFlags.None, timeout);
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                break;
            }

            if (read == 0)
            {
                eof = true;
                break;
            }

            var searchFrom = Math.Max(0, filled - 3);
            filled += read;
            var seen = window.Span[..filled];
            if (HttpHeadParser.FindHeadEnd(seen[searchFrom..]) >= 0 || filled == window.Length || !HttpHeadParser.IsPlausibleStart(seen))
            {
                break;
            }
        }

        if (filled == 0)
        {
            // The time ran out before the first read took anything: the peeked bytes are still in the socket.
            return SniffResult.FromPeek(window.Span[..peeked], clientEndPoint);
        }

        return SniffResult.FromPrefix(window.Span[..filled], clientEndPoint, eof);
    }

    private static IPEndPoint? ClientEndPointOf(Socket client)
    {
        try
        {
            if (client.RemoteEndPoint is not IPEndPoint endPoint)
            {
                return null;
            }

            return endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
        }
        catch (Exception exception) when (SocketErrors.IsConnectionEnd(exception))
        {
            return null;
        }
    }
}
