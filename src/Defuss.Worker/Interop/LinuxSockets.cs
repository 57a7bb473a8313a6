using System.Runtime.InteropServices;

namespace Defuss.Worker.Interop;

/// <summary>
/// The few libc socket calls that socket handoff needs and .NET does not expose: passing descriptors with
/// <c>SCM_RIGHTS</c>, accepting and peeking without the socket engine, and a private epoll. 64-bit Linux only
/// (x86-64 and arm64, where these layouts hold); <see cref="HandoffSupport"/> checks before anything uses them.
/// </summary>
internal static unsafe partial class LinuxSockets
{
    public const int SolSocket = 1;
    public const int ScmRights = 1;
    public const int IpProtoTcp = 6;
    public const int TcpDeferAccept = 9;

    public const int MsgPeek = 0x2;
    public const int MsgCtrunc = 0x8;
    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;
    public const int MsgCmsgCloexec = 0x40000000;

    public const int SockCloexec = 0x80000;
    public const int ShutRead = 0;
    public const int ShutReadWrite = 2;

    public const int EIntr = 4;
    public const int EBadF = 9;
    public const int EAgain = 11;
    public const int EInval = 22;
    public const int EConnAborted = 103;

    public const int AfInet = 2;
    public const int AfInet6 = 10;

    /// <summary>The most descriptors one message may carry (the kernel's <c>SCM_MAX_FD</c>).</summary>
    public const int MaxDescriptorsPerMessage = 253;

    /// <summary><c>sizeof(struct cmsghdr)</c>: a <c>size_t</c> length and two ints, so the data starts at 16.</summary>
    public const int CmsgHeaderSize = 16;

    /// <summary><c>CMSG_LEN</c> for <paramref name="descriptors"/> descriptors.</summary>
    public static int CmsgLength(int descriptors) => CmsgHeaderSize + (sizeof(int) * descriptors);

    /// <summary><c>CMSG_SPACE</c> for <paramref name="descriptors"/> descriptors: the length rounded up to 8.</summary>
    public static int CmsgSpace(int descriptors) => (CmsgLength(descriptors) + 7) & ~7;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary><c>struct msghdr</c>: 56 bytes, <c>msg_namelen</c> padded to 8, <c>msg_flags</c> at 48.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ControlHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    public const short PollIn = 0x1;
    public const short PollOut = 0x4;

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint SendMessage(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint ReceiveMessage(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Receive(int socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept(int socket, byte* address, uint* addressLength, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int socket, int how);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSocketOption(int socket, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    public const int FDupFdCloexec = 1030;
    public const int FGetFd = 1;
    public const int FGetFl = 3;
    public const int FSetFl = 4;
    public const int FdCloexec = 1;
    public const int ONonBlock = 0x800;

    /// <summary>The calling thread's <c>errno</c> from the last call above.</summary>
    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>Clears <c>O_NONBLOCK</c> on <paramref name="fd"/>, so that calls without <see cref="MsgDontWait"/> block.</summary>
    public static void MakeBlocking(int fd)
    {
        var flags = Fcntl(fd, FGetFl, 0);
        if (flags >= 0 && (flags & ONonBlock) != 0)
        {
            _ = Fcntl(fd, FSetFl, flags & ~ONonBlock);
        }
    }

    /// <summary>Sets <c>O_NONBLOCK</c> on <paramref name="fd"/>, so that no call on it waits.</summary>
    public static void MakeNonBlocking(int fd)
    {
        var flags = Fcntl(fd, FGetFl, 0);
        if (flags >= 0 && (flags & ONonBlock) == 0)
        {
            _ = Fcntl(fd, FSetFl, flags | ONonBlock);
        }
    }

    /// <summary>Sets an int-valued socket option; returns <c>errno</c>, or 0.</summary>
    public static int SetIntOption(int fd, int level, int name, int value) =>
        SetSocketOption(fd, level, name, &value, sizeof(int)) == 0 ? 0 : LastError;
}
