using System.Runtime.InteropServices;

namespace Defuss.Worker.Interop;

/// <summary>
/// The few libc process calls a worker needs and .NET does not expose: leading its own process group, watching another
/// process's end (<c>pidfd_open</c> and <c>poll</c>, Linux 5.3 and later; <c>getppid</c> and <c>kill(pid, 0)</c>
/// everywhere else), and exiting at once.
/// </summary>
internal static unsafe partial class LinuxProcesses
{
    public const int EIntr = 4;
    public const int ESrch = 3;
    public const int ENoSys = 38;
    public const short PollIn = 0x1;

    /// <summary>The number of <c>pidfd_open</c>, the same on every Linux architecture (x86-64 and arm64 included).</summary>
    private const nint SysPidfdOpen = 434;

    /// <summary>The errno of the last call made here.</summary>
    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary><c>setpgid(0, 0)</c>: this process leads a process group of its own, whose id is its pid.</summary>
    public static int LeadOwnProcessGroup() => SetProcessGroup(0, 0);

    /// <summary>A descriptor that becomes readable when process <paramref name="pid"/> ends; -1 with errno on failure.</summary>
    public static int PidfdOpen(int pid) => OperatingSystem.IsLinux() ? (int)Syscall(SysPidfdOpen, pid, 0) : SetNotSupported();

    /// <summary>Waits (blocking) until <paramref name="fd"/> is readable: 1 when it is, -1 with errno on failure.</summary>
    public static int WaitReadable(int fd)
    {
        var poll = new PollFd { Fd = fd, Events = PollIn };
        return Poll(&poll, 1, -1);
    }

    /// <summary>Whether process <paramref name="pid"/> exists (<c>kill(pid, 0)</c>; a process of another user exists too).</summary>
    public static bool Exists(int pid) => Kill(pid, 0) == 0 || LastError != ESrch;

    [LibraryImport("libc", EntryPoint = "getppid")]
    public static partial int GetParentPid();

    [LibraryImport("libc", EntryPoint = "getpgrp")]
    public static partial int GetProcessGroup();

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary><c>dup3</c>: makes <paramref name="newFd"/> a duplicate of <paramref name="oldFd"/>, closing what it was, in one step.</summary>
    [LibraryImport("libc", EntryPoint = "dup3", SetLastError = true)]
    public static partial int Duplicate(int oldFd, int newFd, int flags);

    /// <summary><c>O_CLOEXEC</c>, for <see cref="Duplicate"/>.</summary>
    public const int OCloexec = 0x80000;

    /// <summary><c>_exit</c>: ends the process at once, running nothing of the app's (no shutdown, no finalizer).</summary>
    [LibraryImport("libc", EntryPoint = "_exit")]
    public static partial void ExitNow(int status);

    private static int SetNotSupported()
    {
        Marshal.SetLastPInvokeError(ENoSys);
        return -1;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "setpgid", SetLastError = true)]
    private static partial int SetProcessGroup(int pid, int processGroup);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
