using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Defuss.Worker.Interop;

namespace Defuss.Upgrade;

/// <summary>
/// One end of the private socket between a primary and the new primary that takes over from it: a Unix
/// <c>SOCK_SEQPACKET</c> socket, so that each <see cref="UpgradeMessage"/> is one packet, and a packet may carry the
/// listening sockets (<c>SCM_RIGHTS</c>). Everything the peer controls is bounded: a packet's size, how many descriptors it
/// brings (more than <see cref="MaxDescriptors"/> are closed and the packet refused), and every wait has a deadline.
/// Receiving blocks (in slices, watching the token): call it from a thread of its own, as <see cref="ReceiveAsync"/> does.
/// </summary>
internal sealed class UpgradeChannel : IDisposable
{
    /// <summary>The largest message: a few endpoints and a failure's reason with a worker's last lines.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>The most listening sockets one hand-over passes (one per public endpoint).</summary>
    public const int MaxDescriptors = 16;

    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);

    private readonly Socket _socket;
    private readonly Lock _sendLock = new();

    private UpgradeChannel(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>The process at the other end, as the kernel saw it connect (<c>SO_PEERCRED</c>); 0 when unknown.</summary>
    public int PeerPid
    {
        get
        {
            Span<int> credentials = stackalloc int[3];
            try
            {
                var length = _socket.GetRawSocketOption(LinuxSockets.SolSocket, PeerCredentials, MemoryMarshal.AsBytes(credentials));
                return length >= sizeof(int) ? credentials[0] : 0;
            }
            catch (SocketException)
            {
                return 0;
            }
        }
    }

    /// <summary>A socket listening at <paramref name="path"/> (in the primary's private directory) for its successor.</summary>
    public static Socket Listen(string path)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Accepts the successor's connection; the token ends the wait.</summary>
    public static async Task<UpgradeChannel> AcceptAsync(Socket listener, CancellationToken cancellationToken) =>
        new(await listener.AcceptAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Connects to the predecessor waiting at <paramref name="path"/>; throws <see cref="SocketException"/> when nobody is there.</summary>
    public static UpgradeChannel Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new UpgradeChannel(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> with <paramref name="descriptors"/> attached (they stay open here; the peer gets
    /// copies); false when the peer is gone or does not read.
    /// </summary>
    public unsafe bool Send(UpgradeMessage message, ReadOnlySpan<int> descriptors = default)
    {
        if (descriptors.Length > MaxDescriptors)
        {
            throw new ArgumentOutOfRangeException(nameof(descriptors), descriptors.Length, $"A hand-over passes at most {MaxDescriptors} listening sockets.");
        }

        var payload = JsonSerializer.SerializeToUtf8Bytes(message, UpgradeJsonContext.Default.UpgradeMessage);
        if (payload.Length > MaxMessageBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(message), payload.Length, $"An upgrade message is at most {MaxMessageBytes} bytes.");
        }

        var control = stackalloc byte[LinuxSockets.CmsgSpace(MaxDescriptors)];
        lock (_sendLock)
        {
            fixed (byte* body = payload)
            {
                var iov = new LinuxSockets.IoVec { Base = body, Length = (nuint)payload.Length };
                var header = new LinuxSockets.MessageHeader { Iov = &iov, IovLength = 1 };
                if (!descriptors.IsEmpty)
                {
                    var cmsg = (LinuxSockets.ControlHeader*)control;
                    cmsg->Length = (nuint)LinuxSockets.CmsgLength(descriptors.Length);
                    cmsg->Level = LinuxSockets.SolSocket;
                    cmsg->Type = LinuxSockets.ScmRights;
                    descriptors.CopyTo(new Span<int>(control + LinuxSockets.CmsgHeaderSize, descriptors.Length));
                    header.Control = control;
                    header.ControlLength = (nuint)LinuxSockets.CmsgSpace(descriptors.Length);
                }

                nint sent;
                do
                {
                    sent = LinuxSockets.SendMessage(Fd, &header, LinuxSockets.MsgDontWait | LinuxSockets.MsgNoSignal);
                }
                while (sent < 0 && LinuxSockets.LastError == LinuxSockets.EIntr);

                return sent == payload.Length;
            }
        }
    }

    /// <summary>
    /// Waits, on a thread of its own, for the next message: null when the peer has closed its end. Throws
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/>, <see cref="OperationCanceledException"/> when the
    /// token is cancelled, and <see cref="FormatException"/> for a packet that is not a message.
    /// </summary>
    public Task<ReceivedMessage?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Receive(timeout, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>As <see cref="ReceiveAsync"/>, on the caller's thread (which it blocks, up to <paramref name="timeout"/>).</summary>
    public unsafe ReceivedMessage? Receive(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                throw new TimeoutException($"No message within {timeout.TotalSeconds:0.#} s.");
            }

            var poll = new LinuxSockets.PollFd { Fd = Fd, Events = LinuxSockets.PollIn };
            var ready = LinuxSockets.Poll(&poll, 1, (int)Math.Min(left, (long)PollSlice.TotalMilliseconds));
            if (ready < 0 && LinuxSockets.LastError != LinuxSockets.EIntr)
            {
                return null;
            }

            if (ready > 0)
            {
                return ReadOne();
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private int Fd => (int)_socket.Handle;

    private unsafe ReceivedMessage? ReadOne()
    {
        var buffer = new byte[MaxMessageBytes];
        var control = stackalloc byte[LinuxSockets.CmsgSpace(MaxDescriptors)];
        nint read;
        int flags;
        fixed (byte* body = buffer)
        {
            var iov = new LinuxSockets.IoVec { Base = body, Length = (nuint)buffer.Length };
            var header = new LinuxSockets.MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)LinuxSockets.CmsgSpace(MaxDescriptors) };
            do
            {
                read = LinuxSockets.ReceiveMessage(Fd, &header, LinuxSockets.MsgDontWait | LinuxSockets.MsgCmsgCloexec);
            }
            while (read < 0 && LinuxSockets.LastError == LinuxSockets.EIntr);

            flags = header.Flags;
            if (read < 0)
            {
                return LinuxSockets.LastError == LinuxSockets.EAgain ? throw new FormatException("The socket was readable but held no message.") : null;
            }

            var descriptors = Descriptors(control, header.ControlLength);
            if (read == 0 && descriptors.Length == 0)
            {
                return null;
            }

            if ((flags & (LinuxSockets.MsgCtrunc | MsgTrunc)) != 0)
            {
                CloseAll(descriptors);
                throw new FormatException((flags & MsgTrunc) != 0
                    ? $"A message was longer than {MaxMessageBytes} bytes."
                    : $"A message brought more than {MaxDescriptors} descriptors (or this process is at its descriptor limit).");
            }

            try
            {
                var message = JsonSerializer.Deserialize(buffer.AsSpan(0, (int)read), UpgradeJsonContext.Default.UpgradeMessage)
                    ?? throw new FormatException("A message was empty.");
                return new ReceivedMessage(message, descriptors);
            }
            catch (JsonException exception)
            {
                CloseAll(descriptors);
                throw new FormatException("A message was not valid JSON: " + exception.Message, exception);
            }
        }
    }

    private static unsafe int[] Descriptors(byte* control, nuint length)
    {
        var descriptors = new List<int>();
        var offset = 0;
        while (offset + LinuxSockets.CmsgHeaderSize <= (int)length)
        {
            var cmsg = (LinuxSockets.ControlHeader*)(control + offset);
            if (cmsg->Length < (nuint)LinuxSockets.CmsgHeaderSize)
            {
                break;
            }

            if (cmsg->Level == LinuxSockets.SolSocket && cmsg->Type == LinuxSockets.ScmRights)
            {
                var count = ((int)cmsg->Length - LinuxSockets.CmsgHeaderSize) / sizeof(int);
                descriptors.AddRange(new ReadOnlySpan<int>(control + offset + LinuxSockets.CmsgHeaderSize, count));
            }

            offset += ((int)cmsg->Length + 7) & ~7;
        }

        return [.. descriptors];
    }

    /// <summary>Closes received descriptors nobody takes (a message that brings any where none belong, or one refused).</summary>
    internal static void CloseAll(IEnumerable<int> descriptors)
    {
        foreach (var descriptor in descriptors)
        {
            _ = LinuxSockets.Close(descriptor);
        }
    }

    private const int PeerCredentials = 17;
    private const int MsgTrunc = 0x20;
}

/// <summary>A message, and the descriptors that came with it (the receiver owns them, close-on-exec).</summary>
internal sealed record ReceivedMessage(UpgradeMessage Message, int[] Descriptors);
