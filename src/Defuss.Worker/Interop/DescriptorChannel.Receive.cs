using System.Globalization;
using Defuss.Worker.Protocol;

namespace Defuss.Worker.Interop;

/// <remarks>
/// Pairing: the kernel attaches a message's descriptors to its first byte, returns them with the <c>recvmsg</c> that
/// first reads that byte, and ends that <c>recvmsg</c> right after those bytes; a Defuss peer sends each descriptor with
/// the first byte of the one frame that carries it. So a descriptor that arrived with bytes [from, to) of the stream
/// belongs to a frame that starts in that range, and to no other. Each received descriptor keeps its range: a frame that
/// carries one takes the oldest only if the range holds the frame's start, and one whose range has been read past
/// without a frame claiming it (the peer attached it to a frame that carries none) is closed at once, as are all of a
/// message that brings more than one. A peer that does either breaks the protocol, and the channel with it: no peer can
/// park descriptors in this process.
/// </remarks>
internal sealed unsafe partial class DescriptorChannel
{
    private const int ReadChunk = 64 * 1024;

    private readonly Queue<ArrivedDescriptor> _descriptors = new();
    private readonly List<int> _received = new(1);
    private readonly byte[] _controlBuffer = new byte[LinuxSockets.CmsgSpace(LinuxSockets.MaxDescriptorsPerMessage)];
    private byte[] _buffer = new byte[ReadChunk];
    private int _start;
    private int _end;

    /// <summary>The stream offset of <c>_start</c>: every byte before it belongs to a frame already read.</summary>
    private long _consumed;

    /// <summary>
    /// Blocks until a whole frame has arrived; false when the channel ended (the peer closed, or <see cref="Shutdown"/>).
    /// The payload is valid until the next call. A frame that carries a descriptor has it in <paramref name="descriptor"/>
    /// (the caller owns it); other frames get -1.
    /// </summary>
    /// <exception cref="FormatException">
    /// The peer broke the protocol (a bad header, a descriptor missing or where no frame carries one): the channel cannot
    /// be read further. Every descriptor it had received and not handed out is closed by then.
    /// </exception>
    /// <exception cref="IOException">
    /// The kernel dropped descriptors (<c>MSG_CTRUNC</c>: this process is at its descriptor limit), so frames and
    /// descriptors no longer pair up: the channel cannot be read further. Those that did arrive are closed by then.
    /// </exception>
    public bool ReadFrame(out HandoffFrameKind kind, out long id, out ReadOnlySpan<byte> payload, out int descriptor)
    {
        var unlimited = int.MaxValue;
        return NextFrame(wait: true, ref unlimited, out kind, out id, out payload, out descriptor) == FrameRead.Frame;
    }

    /// <summary>
    /// As <see cref="ReadFrame"/>, without waiting: the next whole frame, or <see cref="FrameRead.WouldBlock"/> when the
    /// socket has no more bytes for now (or <paramref name="readsLeft"/> reads of it, counted down, brought none whole: a
    /// peer that floods does not hold the caller), or <see cref="FrameRead.Ended"/>. A frame already read off the socket
    /// is always returned, so a caller that waits for readiness between calls misses none.
    /// </summary>
    public FrameRead TryReadFrame(scoped ref int readsLeft, out HandoffFrameKind kind, out long id, out ReadOnlySpan<byte> payload, out int descriptor) =>
        NextFrame(wait: false, ref readsLeft, out kind, out id, out payload, out descriptor);

    private FrameRead NextFrame(bool wait, scoped ref int readsLeft, out HandoffFrameKind kind, out long id, out ReadOnlySpan<byte> payload, out int descriptor)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            bool whole;
            int length;
            try
            {
                whole = HandoffFrame.TryReadHeader(available, out kind, out id, out length) && available.Length >= HandoffFrame.HeaderSize + length;
            }
            catch (FormatException)
            {
                CloseQueuedDescriptors();
                throw;
            }

            if (whole)
            {
                var frameStart = _consumed;
                payload = available.Slice(HandoffFrame.HeaderSize, length);
                _start += HandoffFrame.HeaderSize + length;
                _consumed += HandoffFrame.HeaderSize + length;
                descriptor = TakeDescriptor(kind, frameStart);
                return FrameRead.Frame;
            }

            payload = default;
            descriptor = -1;
            if (readsLeft <= 0)
            {
                return FrameRead.WouldBlock;
            }

            readsLeft--;
            var filled = Fill(HandoffFrame.HeaderSize + length, wait);
            if (filled != FrameRead.Frame)
            {
                return filled;
            }
        }
    }

    /// <summary>The descriptor of the frame that started at <paramref name="frameStart"/>, or -1; then drops what no frame can claim.</summary>
    private int TakeDescriptor(HandoffFrameKind kind, long frameStart)
    {
        var descriptor = -1;
        if (HandoffFrame.CarriesDescriptor(kind))
        {
            if (!_descriptors.TryPeek(out var arrived) || arrived.From > frameStart)
            {
                CloseQueuedDescriptors();
                throw new FormatException($"A {kind} handoff frame arrived without its descriptor.");
            }

            descriptor = _descriptors.Dequeue().Fd;
        }

        var unclaimed = 0;
        while (_descriptors.TryPeek(out var arrived) && arrived.To <= _consumed)
        {
            _ = LinuxSockets.Close(_descriptors.Dequeue().Fd);
            unclaimed++;
        }

        if (unclaimed > 0)
        {
            if (descriptor >= 0)
            {
                _ = LinuxSockets.Close(descriptor);
            }

            CloseQueuedDescriptors();
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{unclaimed} descriptors arrived with handoff frames that carry none; they were closed."));
        }

        return descriptor;
    }

    /// <summary>Reads more of the stream: <see cref="FrameRead.Frame"/> when bytes came, else why none did.</summary>
    private FrameRead Fill(int frameLength, bool wait)
    {
        // Every whole frame has been read: a descriptor still queued can only be the partial frame's own, which arrived
        // with its first byte. One that came later was attached to the middle of a frame.
        if (_descriptors.Count > 1 || (_descriptors.TryPeek(out var queued) && queued.From > _consumed))
        {
            var count = _descriptors.Count;
            CloseQueuedDescriptors();
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{count} descriptors arrived in the middle of a handoff frame; they were closed."));
        }

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
            return FrameRead.Ended;
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
                read = LinuxSockets.ReceiveMessage(fd, &message, LinuxSockets.MsgCmsgCloexec | (wait ? 0 : LinuxSockets.MsgDontWait));
            }
            while (read < 0 && LinuxSockets.LastError == LinuxSockets.EIntr);

            if (read < 0 && !wait && LinuxSockets.LastError == LinuxSockets.EAgain)
            {
                return FrameRead.WouldBlock;
            }

            if (read <= 0)
            {
                return FrameRead.Ended;
            }

            var from = _consumed + pending;
            _end += (int)read;
            TakeDescriptors(control, (int)message.ControlLength, from, from + read, truncated: (message.Flags & LinuxSockets.MsgCtrunc) != 0);
            return FrameRead.Frame;
        }
    }

    private void TakeDescriptors(byte* control, int length, long from, long to, bool truncated)
    {
        var received = _received;
        received.Clear();
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
                    received.Add(fds[i]);
                }
            }

            offset += (cmsgLength + 7) & ~7;
        }

        if (truncated || received.Count > 1)
        {
            // At the descriptor limit the kernel drops the descriptors it cannot install (MSG_CTRUNC): frames and
            // descriptors no longer pair up. More than one per message is no Defuss peer's doing.
            foreach (var fd in received)
            {
                _ = LinuxSockets.Close(fd);
            }

            CloseQueuedDescriptors();
            if (truncated)
            {
                throw new IOException("The handoff channel dropped descriptors (MSG_CTRUNC): this process is out of descriptors.");
            }

            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"One handoff message brought {received.Count} descriptors; a frame carries at most one. They were closed."));
        }

        foreach (var fd in received)
        {
            _descriptors.Enqueue(new ArrivedDescriptor(fd, from, to));
        }
    }

    private void CloseQueuedDescriptors()
    {
        while (_descriptors.TryDequeue(out var orphan))
        {
            _ = LinuxSockets.Close(orphan.Fd);
        }
    }

    /// <summary>A received descriptor, and the stream range of the bytes it came with: its frame starts in it.</summary>
    private readonly record struct ArrivedDescriptor(int Fd, long From, long To);
}
