using Defuss.Worker.Interop;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// Raw descriptors for the tests of the handoff interop: socket pairs, blocking sends and reads bounded by
/// <see cref="TestTimeouts"/>, and what the kernel says about a descriptor.
/// </summary>
/// <remarks>
/// A closed descriptor number is never looked at again: the tests share one process, and another test may already have
/// been given the same number. A descriptor's end is proven by its peer seeing the end of the stream instead.
/// </remarks>
internal static unsafe class TestDescriptors
{
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const short PollHup = 0x10;

    /// <summary>A connected <c>AF_UNIX</c> stream pair, close-on-exec and blocking.</summary>
    public static UnixSocketPair SocketPair()
    {
        var fds = stackalloc int[2];
        if (LinuxSockets.SocketPair(AfUnix, SockStream | LinuxSockets.SockCloexec, 0, fds) != 0)
        {
            throw new InvalidOperationException($"socketpair failed with errno {LinuxSockets.LastError}.");
        }

        return new UnixSocketPair(fds[0], fds[1]);
    }

    /// <summary>Whether the open descriptor <paramref name="fd"/> has <c>FD_CLOEXEC</c>.</summary>
    public static bool HasCloseOnExec(int fd)
    {
        var flags = LinuxSockets.Fcntl(fd, LinuxSockets.FGetFd, 0);
        if (flags < 0)
        {
            throw new InvalidOperationException($"fcntl(F_GETFD) on {fd} failed with errno {LinuxSockets.LastError}.");
        }

        return (flags & LinuxSockets.FdCloexec) != 0;
    }

    /// <summary>What the open descriptor <paramref name="fd"/> refers to, as <c>/proc/self/fd</c> names it (<c>socket:[inode]</c>).</summary>
    public static string Identity(int fd) =>
        new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? throw new InvalidOperationException($"Descriptor {fd} is not open.");

    /// <summary>Writes all of <paramref name="bytes"/>, waiting for room.</summary>
    public static void SendAll(int fd, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            WaitFor(fd, LinuxSockets.PollOut, TestTimeouts.Default, "room to write");
            nint sent;
            fixed (byte* data = bytes)
            {
                sent = LinuxSockets.Send(fd, data, (nuint)bytes.Length, LinuxSockets.MsgDontWait | LinuxSockets.MsgNoSignal);
            }

            if (sent < 0)
            {
                var errno = LinuxSockets.LastError;
                if (errno is LinuxSockets.EAgain or LinuxSockets.EIntr)
                {
                    continue;
                }

                throw new InvalidOperationException($"send on {fd} failed with errno {errno}.");
            }

            bytes = bytes[(int)sent..];
        }
    }

    /// <summary>Sends <paramref name="bytes"/> in one <c>sendmsg</c> with <paramref name="descriptor"/> in <c>SCM_RIGHTS</c>.</summary>
    public static void SendWithDescriptor(int fd, ReadOnlySpan<byte> bytes, int descriptor)
    {
        var control = stackalloc byte[LinuxSockets.CmsgSpace(1)];
        var cmsg = (LinuxSockets.ControlHeader*)control;
        cmsg->Length = (nuint)LinuxSockets.CmsgLength(1);
        cmsg->Level = LinuxSockets.SolSocket;
        cmsg->Type = LinuxSockets.ScmRights;
        *(int*)(control + LinuxSockets.CmsgHeaderSize) = descriptor;
        fixed (byte* data = bytes)
        {
            var iov = new LinuxSockets.IoVec { Base = data, Length = (nuint)bytes.Length };
            var message = new LinuxSockets.MessageHeader
            {
                Iov = &iov,
                IovLength = 1,
                Control = control,
                ControlLength = (nuint)LinuxSockets.CmsgSpace(1),
            };
            var sent = LinuxSockets.SendMessage(fd, &message, LinuxSockets.MsgNoSignal);
            if (sent != bytes.Length)
            {
                throw new InvalidOperationException($"sendmsg on {fd} sent {sent} of {bytes.Length} bytes (errno {LinuxSockets.LastError}).");
            }
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, each wait bounded by <see cref="TestTimeouts.Default"/>.</summary>
    public static byte[] ReceiveExactly(int fd, int count)
    {
        var buffer = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            WaitFor(fd, LinuxSockets.PollIn, TestTimeouts.Default, $"byte {filled} of {count}");
            nint read;
            fixed (byte* data = &buffer[filled])
            {
                read = LinuxSockets.Receive(fd, data, (nuint)(count - filled), LinuxSockets.MsgDontWait);
            }

            if (read == 0)
            {
                throw new EndOfStreamException($"Descriptor {fd} ended after {filled} of {count} bytes.");
            }

            if (read < 0)
            {
                var errno = LinuxSockets.LastError;
                if (errno is LinuxSockets.EAgain or LinuxSockets.EIntr)
                {
                    continue;
                }

                throw new InvalidOperationException($"recv on {fd} failed with errno {errno}.");
            }

            filled += (int)read;
        }

        return buffer;
    }

    /// <summary>How many bytes are waiting to be read on <paramref name="fd"/> right now (without taking them), up to 64 KiB.</summary>
    public static int Pending(int fd)
    {
        var buffer = new byte[64 * 1024];
        nint peeked;
        fixed (byte* data = buffer)
        {
            peeked = LinuxSockets.Receive(fd, data, (nuint)buffer.Length, LinuxSockets.MsgPeek | LinuxSockets.MsgDontWait);
        }

        return peeked < 0 && LinuxSockets.LastError == LinuxSockets.EAgain ? 0 : (int)peeked;
    }

    /// <summary>Whether <paramref name="fd"/> becomes readable (data or the end of the stream) within <paramref name="wait"/>.</summary>
    public static bool IsReadable(int fd, TimeSpan wait)
    {
        var poll = new LinuxSockets.PollFd { Fd = fd, Events = LinuxSockets.PollIn };
        int ready;
        do
        {
            ready = LinuxSockets.Poll(&poll, 1, (int)wait.TotalMilliseconds);
        }
        while (ready < 0 && LinuxSockets.LastError == LinuxSockets.EIntr);

        return ready > 0 && (poll.Revents & (LinuxSockets.PollIn | PollHup)) != 0;
    }

    /// <summary>Whether <paramref name="fd"/> has room to write within <paramref name="wait"/>.</summary>
    public static bool IsWritable(int fd, TimeSpan wait)
    {
        var poll = new LinuxSockets.PollFd { Fd = fd, Events = LinuxSockets.PollOut };
        int ready;
        do
        {
            ready = LinuxSockets.Poll(&poll, 1, (int)wait.TotalMilliseconds);
        }
        while (ready < 0 && LinuxSockets.LastError == LinuxSockets.EIntr);

        return ready > 0 && (poll.Revents & LinuxSockets.PollOut) != 0;
    }

    /// <summary>
    /// Whether the stream on <paramref name="fd"/> ends (its peer's every copy closed) within <paramref name="wait"/>,
    /// with no byte before the end.
    /// </summary>
    public static bool SeesEndOfStream(int fd, TimeSpan wait)
    {
        if (!IsReadable(fd, wait))
        {
            return false;
        }

        byte one;
        var read = LinuxSockets.Receive(fd, &one, 1, LinuxSockets.MsgDontWait);
        return read == 0;
    }

    /// <summary>Closes a descriptor the test owns (once: the number may be another test's right after).</summary>
    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            _ = LinuxSockets.Close(fd);
        }
    }

    private static void WaitFor(int fd, short events, TimeSpan timeout, string what)
    {
        var poll = new LinuxSockets.PollFd { Fd = fd, Events = events };
        int ready;
        do
        {
            ready = LinuxSockets.Poll(&poll, 1, (int)timeout.TotalMilliseconds);
        }
        while (ready < 0 && LinuxSockets.LastError == LinuxSockets.EIntr);

        if (ready == 0)
        {
            throw new TimeoutException($"Timed out waiting on descriptor {fd} for {what}.");
        }
    }
}

/// <summary>
/// Both ends of a socket pair, closed on dispose unless taken: an end handed to an owner that closes it (a
/// <see cref="DescriptorChannel"/>) is taken first, so that no number is closed twice.
/// </summary>
internal sealed class UnixSocketPair : IDisposable
{
    private int _first;
    private int _second;

    public UnixSocketPair(int first, int second)
    {
        _first = first;
        _second = second;
    }

    public int First => _first >= 0 ? _first : throw new InvalidOperationException("The first end was taken or closed.");

    public int Second => _second >= 0 ? _second : throw new InvalidOperationException("The second end was taken or closed.");

    /// <summary>Gives up the first end: the caller's owner closes it.</summary>
    public int TakeFirst() => Take(ref _first);

    /// <summary>Gives up the second end: the caller's owner closes it.</summary>
    public int TakeSecond() => Take(ref _second);

    /// <summary>Closes the first end now.</summary>
    public void CloseFirst() => TestDescriptors.Close(Take(ref _first));

    /// <summary>Closes the second end now.</summary>
    public void CloseSecond() => TestDescriptors.Close(Take(ref _second));

    public void Dispose()
    {
        CloseFirst();
        CloseSecond();
    }

    private static int Take(ref int end)
    {
        var fd = end;
        end = -1;
        return fd;
    }
}
