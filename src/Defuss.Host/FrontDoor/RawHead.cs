using System.Net;
using System.Numerics;
using Defuss.Worker.Interop;

namespace Defuss.FrontDoor;

/// <summary>
/// The head of one connection that the front door will hand off, sniffed with libc calls on its descriptor alone, so
/// that .NET's socket engine never registers a socket that another process will own.
/// </summary>
/// <remarks>
/// As <see cref="HeadSniffer"/>: a head that is whole on the first peek stays in the socket. One that is not is read off
/// (so that waiting for more cannot wake on bytes already seen) and becomes the prefix the worker replays. Its buffer
/// starts small and doubles as bytes come, up to the limit, each step taken from the <see cref="HeadBudget"/>; a step the
/// budget refuses routes the connection at once with what has arrived. The buffer goes back to the budget the moment
/// the head has a result.
/// </remarks>
internal sealed unsafe class RawHead
{
    /// <summary>The first buffer of a late head: 2 KiB, or twice what had arrived. Most heads fit.</summary>
    internal const int MinBufferBytes = 2048;

    private readonly int _maxHeaderBytes;
    private readonly HeadBudget? _budget;
    private byte[]? _buffer;
    private int _filled;

    /// <param name="connection">The connection whose head this is.</param>
    /// <param name="maxHeaderBytes">The most bytes of a head.</param>
    /// <param name="deadline">When the inspection timeout ends, as a <see cref="TimeProvider"/> timestamp.</param>
    /// <param name="budget">Where the buffer's bytes come from; null for none (no bound).</param>
    public RawHead(FrontDoorConnection connection, int maxHeaderBytes, long deadline, HeadBudget? budget = null)
    {
        Connection = connection;
        _maxHeaderBytes = maxHeaderBytes;
        Deadline = deadline;
        _budget = budget;
    }

    /// <summary>The connection whose head this is.</summary>
    public FrontDoorConnection Connection { get; }

    /// <summary>When the inspection timeout ends, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long Deadline { get; }

    /// <summary>The waiter's token for this head.</summary>
    public ulong Token { get; set; }

    /// <summary>The bytes this head's buffer holds from the budget now (0 once it has a result).</summary>
    public int BufferBytes => _buffer?.Length ?? 0;

    /// <summary>Whether the head was routed before it was whole because the budget was spent.</summary>
    public bool OverBudget { get; private set; }

    /// <summary>
    /// Looks at what has arrived: a result when the head is whole, hits the limit, cannot be HTTP/1, the client left, or
    /// the budget has no room for more of it; null to wait for more. <paramref name="peekBuffer"/> (of at least the
    /// limit) is only used for a first peek.
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
                return LinuxSockets.LastError is LinuxSockets.EAgain or LinuxSockets.EIntr ? null : Finish(SniffResult.Gone(client));
            }

            if (peeked == 0)
            {
                return Finish(SniffResult.Gone(client));
            }

            var seen = peekBuffer.AsSpan(0, (int)peeked);
            var headEnd = HttpHeadParser.FindHeadEnd(seen);
            if (headEnd >= 0 || peeked == _maxHeaderBytes || !HttpHeadParser.IsPlausibleStart(seen))
            {
                return Finish(SniffResult.FromPeek(seen[..(headEnd >= 0 ? headEnd : (int)peeked)], client));
            }

            if (_buffer is null && !TryGrow(2 * (int)peeked))
            {
                // No room to hold it while the rest comes: route now with what has come, still in the socket.
                return Finish(SniffResult.FromPeek(seen, client));
            }
        }

        return ReadMore(fd, client);
    }

    /// <summary>The inspection timeout has passed: route with what has come.</summary>
    public SniffResult Expire() =>
        Finish(_filled == 0 ? SniffResult.Silent(Connection.RemoteEndPoint) : SniffResult.FromPrefix(_buffer.AsSpan(0, _filled), Connection.RemoteEndPoint, eof: false));

    private SniffResult? ReadMore(int fd, IPEndPoint? client)
    {
        while (true)
        {
            if (_filled == _buffer!.Length && !TryGrow(2 * _buffer.Length))
            {
                return Finish(SniffResult.FromPrefix(_buffer.AsSpan(0, _filled), client, eof: false));
            }

            nint read;
            fixed (byte* data = &_buffer[_filled])
            {
                read = LinuxSockets.Receive(fd, data, (nuint)(_buffer.Length - _filled), LinuxSockets.MsgDontWait);
            }

            if (read < 0)
            {
                var errno = LinuxSockets.LastError;
                if (errno == LinuxSockets.EIntr)
                {
                    continue;
                }

                // Waiting on: nothing more has come. A reset: with bytes already read, the connection is no one's.
                return errno == LinuxSockets.EAgain ? null : Finish(SniffResult.Gone(client));
            }

            if (read == 0)
            {
                return Finish(_filled == 0 ? SniffResult.Gone(client) : SniffResult.FromPrefix(_buffer.AsSpan(0, _filled), client, eof: true));
            }

            var searchFrom = Math.Max(0, _filled - 3);
            _filled += (int)read;
            var seen = _buffer.AsSpan(0, _filled);
            if (HttpHeadParser.FindHeadEnd(seen[searchFrom..]) >= 0 || _filled == _maxHeaderBytes || !HttpHeadParser.IsPlausibleStart(seen))
            {
                return Finish(SniffResult.FromPrefix(seen, client, eof: false));
            }
        }
    }

    /// <summary>Grows the buffer to <paramref name="wanted"/> bytes (at least the minimum, at most the limit) from the budget.</summary>
    private bool TryGrow(int wanted)
    {
        var size = Math.Min(_maxHeaderBytes, (int)Math.Min(int.MaxValue / 2, BitOperations.RoundUpToPowerOf2((uint)Math.Max(MinBufferBytes, wanted))));
        var held = _buffer?.Length ?? 0;
        if (_budget is not null && !_budget.TryTake(size - held))
        {
            OverBudget = true;
            _budget.OnExceeded();
            return false;
        }

        var buffer = new byte[size];
        _buffer?.AsSpan(0, _filled).CopyTo(buffer);
        _buffer = buffer;
        return true;
    }

    /// <summary>The head has its result (whose bytes are copies): the buffer goes back to the budget at once.</summary>
    private SniffResult Finish(SniffResult result)
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _budget?.Return(buffer.Length);
        }

        return result;
    }
}
