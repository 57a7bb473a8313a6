using System.Net;
using Defuss.Worker.Interop;

namespace Defuss.FrontDoor;

/// <summary>
/// The head of one connection that the front door will hand off, sniffed with libc calls on its descriptor alone, so
/// that .NET's socket engine never registers a socket that another process will own.
/// </summary>
/// <remarks>
/// As <see cref="HeadSniffer"/>: a head that is whole on the first peek stays in the socket. One that is not is read off
/// (so that waiting for more cannot wake on bytes already seen) and becomes the prefix the worker replays.
/// </remarks>
internal sealed unsafe class RawHead
{
    private readonly int _maxHeaderBytes;
    private byte[]? _buffer;
    private int _filled;

    public RawHead(FrontDoorConnection connection, int maxHeaderBytes, long deadline)
    {
        Connection = connection;
        _maxHeaderBytes = maxHeaderBytes;
        Deadline = deadline;
    }

    /// <summary>The connection whose head this is.</summary>
    public FrontDoorConnection Connection { get; }

    /// <summary>When the inspection timeout ends, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long Deadline { get; }

    /// <summary>The waiter's token for the current registration.</summary>
    public ulong Token { get; set; }

    /// <summary>
    /// Looks at what has arrived: a result when the head is whole, hits the limit, cannot be HTTP/1, or the client
    /// left; null to wait for more. <paramref name="peekBuffer"/> (of at least the limit) is only used for a first peek.
    /// </summary>
    public SniffResult? Step(byte[] peekBuffer)
    {
        var fd = Connection.Descriptor;
        var client = Connection.RemoteEndPoint;
        if (_filled == 0)
        {
            nint peeked;
            fixed (byte* data = peekBuffer)
            {
                peeked = LinuxSockets.Receive(fd, data, (nuint)_maxHeaderBytes, LinuxSockets.MsgPeek | LinuxSockets.MsgDontWait);
            }

            if (peeked < 0)
            {
                return LinuxSockets.LastError is LinuxSockets.EAgain or LinuxSockets.EIntr ? null : SniffResult.Gone(client);
            }

            if (peeked == 0)
            {
                return SniffResult.Gone(client);
            }

            var seen = peekBuffer.AsSpan(0, (int)peeked);
            var headEnd = HttpHeadParser.FindHeadEnd(seen);
            if (headEnd >= 0 || peeked == _maxHeaderBytes || !HttpHeadParser.IsPlausibleStart(seen))
            {
                return SniffResult.FromPeek(seen[..(headEnd >= 0 ? headEnd : (int)peeked)], client);
            }
        }

        return ReadMore(fd, client);
    }

    /// <summary>The inspection timeout has passed: route with what has come.</summary>
    public SniffResult Expire() =>
        _filled == 0 ? SniffResult.Silent(Connection.RemoteEndPoint) : SniffResult.FromPrefix(_buffer.AsSpan(0, _filled), Connection.RemoteEndPoint, eof: false);

    private SniffResult? ReadMore(int fd, IPEndPoint? client)
    {
        _buffer ??= new byte[_maxHeaderBytes];
        while (true)
        {
            nint read;
            fixed (byte* data = &_buffer[_filled])
            {
                read = LinuxSockets.Receive(fd, data, (nuint)(_maxHeaderBytes - _filled), LinuxSockets.MsgDontWait);
            }

            if (read < 0)
            {
                var errno = LinuxSockets.LastError;
                if (errno == LinuxSockets.EIntr)
                {
                    continue;
                }

                // Waiting on: nothing more has come. A reset: with bytes already read, the connection is no one's.
                return errno == LinuxSockets.EAgain ? null : SniffResult.Gone(client);
            }

            if (read == 0)
            {
                return _filled == 0 ? SniffResult.Gone(client) : SniffResult.FromPrefix(_buffer.AsSpan(0, _filled), client, eof: true);
            }

            var searchFrom = Math.Max(0, _filled - 3);
            _filled += (int)read;
            var seen = _buffer.AsSpan(0, _filled);
            if (HttpHeadParser.FindHeadEnd(seen[searchFrom..]) >= 0 || _filled == _maxHeaderBytes || !HttpHeadParser.IsPlausibleStart(seen))
            {
                return SniffResult.FromPrefix(seen, client, eof: false);
            }
        }
    }
}
