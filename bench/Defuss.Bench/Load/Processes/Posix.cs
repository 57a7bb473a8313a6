using System.Runtime.InteropServices;

namespace Defuss.Bench.Load.Processes;

/// <summary>The two libc calls the bench needs: a signal to a pid it started, and the kernel's clock tick.</summary>
internal static partial class Posix
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    private const int ScClkTck = 2;

    /// <summary>How many ticks of <c>/proc/PID/stat</c>'s utime and stime make a second (100 on Linux almost always).</summary>
    public static long ClockTicksPerSecond { get; } = OperatingSystem.IsLinux() && SysConf(ScClkTck) is > 0 and var ticks ? ticks : 100;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; whether it was delivered.</summary>
    public static bool Kill(int pid, int signal) => SysKill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
