using System.Runtime.InteropServices;

namespace Defuss.Processes;

/// <summary>Sends Unix signals, and names the signal behind an exit code of 128+N.</summary>
internal static partial class UnixSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    // The same value on Linux and macOS.
    private const int NoSuchProcess = 3;

    // .NET reports a child that a signal ended with the shell's convention: 128 + the signal number.
    public static string? NameFromExitCode(int exitCode) => exitCode switch
    {
        129 => "SIGHUP",
        130 => "SIGINT",
        131 => "SIGQUIT",
        134 => "SIGABRT",
        137 => "SIGKILL",
        139 => "SIGSEGV",
        143 => "SIGTERM",
        _ => null,
    };

    /// <summary>Sends <paramref name="signal"/>; a process that no longer exists is not an error.</summary>
    public static bool TrySend(int pid, int signal, out int errno)
    {
        if (Kill(pid, signal) == 0)
        {
            errno = 0;
            return true;
        }

        errno = Marshal.GetLastPInvokeError();
        return errno == NoSuchProcess;
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to every process of group <paramref name="processGroup"/>; a group with no process
    /// left is not an error (then <paramref name="errno"/> is ESRCH, and 0 when some process got the signal).
    /// </summary>
    public static bool TrySendToGroup(int processGroup, int signal, out int errno)
    {
        // kill(0) is the caller's own group and kill(-1) every process it may signal: never a worker's group.
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(processGroup, 1);
        if (Kill(-processGroup, signal) == 0)
        {
            errno = 0;
            return true;
        }

        errno = Marshal.GetLastPInvokeError();
        return errno == NoSuchProcess;
    }

    /// <summary>Whether process <paramref name="pid"/> exists (signal 0 checks without sending; EPERM means it exists, as another user's).</summary>
    public static bool Exists(int pid) => pid > 0 && (Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != NoSuchProcess);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
