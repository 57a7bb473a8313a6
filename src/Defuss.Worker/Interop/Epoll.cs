using System.Runtime.InteropServices;

namespace Defuss.Worker.Interop;

/// <summary>
/// A private epoll instance with an eventfd to wake its waiter. <c>struct epoll_event</c> is packed to 12 bytes on
/// x86-64 and is 16 bytes (the data at offset 8) on arm64; <see cref="EventSize"/> picks the layout.
/// </summary>
internal sealed unsafe partial class Epoll : IDisposable
{
    public const uint In = 0x1;
    public const uint RdHup = 0x2000;
    public const uint OneShot = 1u << 30;

    private const int CtlAdd = 1;
    private const int CtlDel = 2;
    private const int Cloexec = 0x80000;
    private const int EventFdNonBlock = 0x800;

    /// <summary>The epoll data that marks the wake-up eventfd.</summary>
    public const ulong WakeToken = ulong.MaxValue;

    private static readonly bool Packed = RuntimeInformation.ProcessArchitecture == Architecture.X64;

    private readonly int _epoll;
    private readonly int _wake;
    private int _disposed;

    public Epoll()
    {
        _epoll = EpollCreate(Cloexec);
        if (_epoll < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed with errno {LinuxSockets.LastError}.");
        }

        _wake = EventFd(0, Cloexec | EventFdNonBlock);
        if (_wake < 0)
        {
            var error = LinuxSockets.LastError;
            LinuxSockets.Close(_epoll);
            throw new InvalidOperationException($"eventfd failed with errno {error}.");
        }

        Add(_wake, In, WakeToken);
    }

    /// <summary>The size of one <c>struct epoll_event</c> on this architecture.</summary>
    public static int EventSize => Packed ? 12 : 16;

    /// <summary>Registers <paramref name="fd"/> for <paramref name="events"/>; returns <c>errno</c>, or 0.</summary>
    public int Add(int fd, uint events, ulong token)
    {
        var buffer = stackalloc byte[16];
        Write(buffer, events, token);
        return EpollCtl(_epoll, CtlAdd, fd, buffer) == 0 ? 0 : LinuxSockets.LastError;
    }

    /// <summary>Removes <paramref name="fd"/>: before a descriptor is handed on, since the registration outlives our close.</summary>
    public void Remove(int fd)
    {
        var buffer = stackalloc byte[16];
        _ = EpollCtl(_epoll, CtlDel, fd, buffer);
    }

    /// <summary>Makes a <see cref="Wait"/> in progress return.</summary>
    public void Wake()
    {
        ulong one = 1;
        _ = Write(_wake, &one, sizeof(ulong));
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (-1: forever) and writes each ready registration's events and token to
    /// <paramref name="ready"/>; returns how many. A wake-up is consumed and reported with <see cref="WakeToken"/>.
    /// </summary>
    public int Wait(Span<(uint Events, ulong Token)> ready, int timeoutMs)
    {
        var size = EventSize;
        var buffer = stackalloc byte[size * ready.Length];
        var count = EpollWait(_epoll, buffer, ready.Length, timeoutMs);
        if (count < 0)
        {
            return 0;
        }

        for (var i = 0; i < count; i++)
        {
            var entry = buffer + (i * size);
            var events = *(uint*)entry;
            var token = *(ulong*)(entry + (Packed ? 4 : 8));
            ready[i] = (events, token);
            if (token == WakeToken)
            {
                ulong drained;
                _ = Read(_wake, &drained, sizeof(ulong));
            }
        }

        return count;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            LinuxSockets.Close(_wake);
            LinuxSockets.Close(_epoll);
        }
    }

    private static void Write(byte* entry, uint events, ulong token)
    {
        *(uint*)entry = events;
        *(ulong*)(entry + (Packed ? 4 : 8)) = token;
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int operation, int fd, byte* events);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epoll, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, void* buffer, nuint count);
}
