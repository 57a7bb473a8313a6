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

/// <summary>
/// One end of a handoff channel: a connected Unix stream socket that carries <see cref="HandoffFrame"/>s and
/// descriptors. One thread reads (<see cref="ReadFrame"/>, blocking); any thread sends (serialised here).
/// </summary>
/// <remarks>
/// Descriptors that arrive are queued in arrival order and each frame that carries one takes the oldest, so the pairing
/// does not depend on how the kernel splits or joins the stream. The descriptor number is closed only under the send
/// lock, after which nothing uses it, so a send can never reach a number the process has reused.
/// </remarks>
internal sealed unsafe class DescriptorChannel : IDisposable
{
    private const int ReadChunk = 64 * 1024;

    private readonly Lock _sendLock = new();
    private readonly Queue<int> _descriptors = new();
    private readonly byte[] _controlBuffer = new byte[LinuxSockets.CmsgSpace(LinuxSockets.MaxDescriptorsPerMessage)];
    private byte[] _buffer = new byte[ReadChunk];
    private int _start;
    private int _end;
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
                return SendRest(head, header.Length, body, payload.Length, (int)sent, TimeSpan.FromSeconds(1)) ? ChannelSendResult.Sent : BreakLocked();
            }
        }
    }

    /// <summary>
    /// Sends frames that carry no descriptor (<paramref name="frames"/>, already laid out), waiting up to
    /// <paramref name="timeout"/> for room; false when the channel is closed or stays full that long.
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

                return SendRest(data, frames.Length, data, 0, (int)Math.Max(0, sent), timeout);
            }
        }
    }

    /// <summary>
    /// Blocks until a whole frame has arrived; false when the channel ended (the peer closed, or <see cref="Shutdown"/>).
    /// The payload is valid until the next call. A frame that carries a descriptor has it in <paramref name="descriptor"/>
    /// (the caller owns it); other frames get -1.
    /// </summary>
    /// <exception cref="FormatException">The peer broke the protocol; the channel cannot be read further.</exception>
    public bool ReadFrame(out HandoffFrameKind kind, out long id, out ReadOnlySpan<byte> payload, out int descriptor)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            if (HandoffFrame.TryReadHeader(available, out kind, out id, out var length) && available.Length >= HandoffFrame.HeaderSize + length)
            {
                payload = available.Slice(HandoffFrame.HeaderSize, length);
                _start += HandoffFrame.HeaderSize + length;
                descriptor = -1;
                if (HandoffFrame.CarriesDescriptor(kind) && !_descriptors.TryDequeue(out descriptor))
                {
                    throw new FormatException($"A {kind} handoff frame arrived without its descriptor.");
                }

                return true;
            }

            if (!Fill(HandoffFrame.HeaderSize + length))
            {
                payload = default;
                descriptor = -1;
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

        while (_descriptors.TryDequeue(out var orphan))
        {
            _ = LinuxSockets.Close(orphan);
        }
    }

    private bool Fill(int frameLength)
    {
        var pending = _end - _start;
        if (pending == 0)
        {
            _start = _end = 0;
        }

        if (_buffer.Length - _start < frameLength || _buffer.Length - _end < ReadChunk / 4)
        {
            // Move what is left to the front, growing the buffer for a frame larger than it.
            var size = Math.Max(_buffer.Length, frameLength + (ReadChunk / 4));
            var target = size > _buffer.Length ? new byte[size] : _buffer;
            Buffer.BlockCopy(_buffer, _start, target, 0, pending);
            (_buffer, _start, _end) = (target, 0, pending);
        }

        int fd;
        lock (_sendLock)
        {
            fd = _fd;
        }

        if (fd < 0)
        {
            return false;
        }

        fixed (byte* data = &_buffer[_end])
        fixed (byte* control = _controlBuffer)
        {
            var iov = new LinuxSockets.IoVec { Base = data, Length = (nuint)(_buffer.Length - _end) };
            var message = new LinuxSockets.MessageHeader
            {
                Iov = &iov,
                IovLength = 1,
                Control = control,
                ControlLength = (nuint)_controlBuffer.Length,
            };
            nint read;
            do
            {
                read = LinuxSockets.ReceiveMessage(fd, &message, LinuxSockets.MsgCmsgCloexec);
            }
            while (read < 0 && LinuxSockets.LastError == LinuxSockets.EIntr);

            if (read <= 0)
            {
                return false;
            }

            TakeDescriptors(control, (int)message.ControlLength);
            if ((message.Flags & LinuxSockets.MsgCtrunc) != 0)
            {
                // The kernel dropped descriptors that did not fit: frames and descriptors no longer pair up.
                throw new FormatException("The handoff channel dropped descriptors (MSG_CTRUNC).");
            }

            _end += (int)read;
            return true;
        }
    }

    private void TakeDescriptors(byte* control, int length)
    {
        var offset = 0;
        while (offset + LinuxSockets.CmsgHeaderSize <= length)
        {
            var cmsg = (LinuxSockets.ControlHeader*)(control + offset);
            var cmsgLength = (int)cmsg->Length;
            if (cmsgLength < LinuxSockets.CmsgHeaderSize || offset + cmsgLength > length)
            {
                break;
            }

            if (cmsg->Level == LinuxSockets.SolSocket && cmsg->Type == LinuxSockets.ScmRights)
            {
                var count = (cmsgLength - LinuxSockets.CmsgHeaderSize) / sizeof(int);
                var fds = (int*)(control + offset + LinuxSockets.CmsgHeaderSize);
                for (var i = 0; i < count; i++)
                {
                    _descriptors.Enqueue(fds[i]);
                }
            }

            offset += (cmsgLength + 7) & ~7;
        }
    }

    private bool SendRest(byte* head, int headLength, byte* body, int bodyLength, int sent, TimeSpan timeout)
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
