using Defuss.Worker.Protocol;

namespace Defuss.Worker.Interop;

/// <summary>How a <see cref="DescriptorChannel.Send"/> went.</summary>
internal enum ChannelSendResult
{
    /// <summary>The whole frame (and its descriptor) is in the channel.</summary>
    Sent,

    /// <summary>The channel is full (the peer is not reading): nothing was sent, the descriptor is still the caller's alone.</summary>
    Full,

    /// <summary>The peer has closed or shut its reading side (it is stopping or gone): nothing was sent.</summary>
    Closed,
}

/// <summary>What a <see cref="DescriptorChannel.TryReadFrame"/> found.</summary>
internal enum FrameRead
{
    /// <summary>A whole frame.</summary>
    Frame,

    /// <summary>No whole frame for now: wait for the socket to be readable, then call again.</summary>
    WouldBlock,

    /// <summary>The channel has ended (the peer closed, or it was shut down).</summary>
    Ended,
}

/// <summary>
/// One end of a handoff channel: a connected Unix stream socket that carries <see cref="HandoffFrame"/>s and
/// descriptors. One thread reads (<see cref="ReadFrame"/>, blocking, or <see cref="TryReadFrame"/> on readiness); any
/// thread sends (serialised here).
/// </summary>
/// <remarks>
/// The descriptor number is closed only under the send lock, after which nothing uses it, so a send can never reach a
/// number the process has reused. How received descriptors are paired with their frames is in the receiving half
/// (<c>DescriptorChannel.Receive.cs</c>).
/// </remarks>
internal sealed unsafe partial class DescriptorChannel : IDisposable
{
    private readonly Lock _sendLock = new();
    private int _fd;
    private bool _closed;

    /// <summary>Takes ownership of the connected socket <paramref name="fd"/>, and makes it blocking.</summary>
    public DescriptorChannel(int fd)
    {
        _fd = fd;
        LinuxSockets.MakeBlocking(fd);
    }

    /// <summary>Whether the channel has been closed (by <see cref="Dispose"/>).</summary>
    public bool IsClosed
    {
        get
        {
            lock (_sendLock)
            {
                return _closed;
            }
        }
    }

    /// <summary>
    /// Sends one frame, with <paramref name="descriptor"/> (or none, for -1) attached to its first byte, without waiting
    /// for room: a full channel is reported, not waited on. The descriptor stays open here; the caller closes its own.
    /// </summary>
    public ChannelSendResult Send(HandoffFrameKind kind, long id, ReadOnlySpan<byte> payload, int descriptor)
    {
        Span<byte> header = stackalloc byte[HandoffFrame.HeaderSize];
        HandoffFrame.WriteHeader(header, kind, id, payload.Length);
        var control = stackalloc byte[LinuxSockets.CmsgSpace(1)];
        var total = header.Length + payload.Length;
        lock (_sendLock)
        {
            if (_closed)
            {
                return ChannelSendResult.Closed;
            }

            fixed (byte* head = header)
            fixed (byte* body = payload)
            {
                var iov = stackalloc LinuxSockets.IoVec[2];
                iov[0] = new LinuxSockets.IoVec { Base = head, Length = (nuint)header.Length };
                iov[1] = new LinuxSockets.IoVec { Base = body, Length = (nuint)payload.Length };
                var message = new LinuxSockets.MessageHeader { Iov = iov, IovLength = payload.IsEmpty ? 1u : 2u };
                if (descriptor >= 0)
                {
                    var cmsg = (LinuxSockets.ControlHeader*)control;
                    cmsg->Length = (nuint)LinuxSockets.CmsgLength(1);
                    cmsg->Level = LinuxSockets.SolSocket;
                    cmsg->Type = LinuxSockets.ScmRights;
                    *(int*)(control + LinuxSockets.CmsgHeaderSize) = descriptor;
                    message.Control = control;
                    message.ControlLength = (nuint)LinuxSockets.CmsgSpace(1);
                }

                nint sent;
                do
                {
                    sent = LinuxSockets.SendMessage(_fd, &message, LinuxSockets.MsgDontWait | LinuxSockets.MsgNoSignal);
                }
                while (sent < 0 && LinuxSockets.LastError == LinuxSockets.EIntr);

                if (sent < 0)
                {
                    return LinuxSockets.LastError == LinuxSockets.EAgain ? ChannelSendResult.Full : ChannelSendResult.Closed;
                }

                if (sent == total)
                {
                    return ChannelSendResult.Sent;
                }

                // The kernel took the first part (and the descriptor) but had no room for the rest: finish it, waiting
                // briefly, or the stream is broken and the channel must close.
                var taken = (int)sent;
                return SendRest(head, header.Length, body, payload.Length, ref taken, TimeSpan.FromSeconds(1)) ? ChannelSendResult.Sent : BreakLocked();
            }
        }
    }

    /// <summary>
    /// Sends frames that carry no descriptor (<paramref name="frames"/>, already laid out), waiting up to
    /// <paramref name="timeout"/> for room; false when the channel is closed or stays full that long. A channel that
    /// took only part of them is ended in both directions, since the rest cannot be taken back.
    /// </summary>
    public bool SendFrames(ReadOnlySpan<byte> frames, TimeSpan timeout)
    {
        lock (_sendLock)
        {
            if (_closed)
            {
                return false;
            }

            fixed (byte* data = frames)
            {
                var sent = LinuxSockets.Send(_fd, data, (nuint)frames.Length, LinuxSockets.MsgDontWait | LinuxSockets.MsgNoSignal);
                if (sent == frames.Length)
                {
                    return true;
                }

                if (sent < 0 && LinuxSockets.LastError is not (LinuxSockets.EAgain or LinuxSockets.EIntr))
                {
                    return false;
                }

                var taken = (int)Math.Max(0, sent);
                if (SendRest(data, frames.Length, data, 0, ref taken, timeout))
                {
                    return true;
                }

                if (taken > 0)
                {
                    // Part of a frame may be in the stream: the peer would read the next frame's bytes as its rest.
                    _ = BreakLocked();
                }

                return false;
            }
        }
    }

    /// <summary>Shuts down one or both directions (<see cref="LinuxSockets.ShutRead"/> and friends), waking a blocked reader.</summary>
    public void Shutdown(int how)
    {
        lock (_sendLock)
        {
            if (!_closed)
            {
                _ = LinuxSockets.Shutdown(_fd, how);
            }
        }
    }

    /// <summary>
    /// Closes the socket and every descriptor received but not yet read. Call it from the reading thread, or once it has
    /// returned (after <see cref="Shutdown"/>): a reader blocked on a closed number could otherwise read a reused one.
    /// </summary>
    public void Dispose()
    {
        lock (_sendLock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            _ = LinuxSockets.Close(_fd);
            _fd = -1;
        }

        CloseQueuedDescriptors();
    }

    private bool SendRest(byte* head, int headLength, byte* body, int bodyLength, ref int sent, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (sent < headLength + bodyLength)
        {
            var poll = new LinuxSockets.PollFd { Fd = _fd, Events = LinuxSockets.PollOut };
            var remainingMs = (int)Math.Max(0, deadline - Environment.TickCount64);
            if (remainingMs == 0 || LinuxSockets.Poll(&poll, 1, remainingMs) <= 0)
            {
                return false;
            }

            var from = sent < headLength ? head + sent : body + (sent - headLength);
            var length = sent < headLength ? headLength - sent : bodyLength - (sent - headLength);
            var more = LinuxSockets.Send(_fd, from, (nuint)length, LinuxSockets.MsgDontWait | LinuxSockets.MsgNoSignal);
            if (more < 0 && LinuxSockets.LastError is not (LinuxSockets.EAgain or LinuxSockets.EIntr))
            {
                return false;
            }

            sent += (int)Math.Max(0, more);
        }

        return true;
    }

    private ChannelSendResult BreakLocked()
    {
        // A half-written frame cannot be taken back: end the stream, so that the peer drops what it has of it.
        _ = LinuxSockets.Shutdown(_fd, LinuxSockets.ShutReadWrite);
        return ChannelSendResult.Closed;
    }
}
