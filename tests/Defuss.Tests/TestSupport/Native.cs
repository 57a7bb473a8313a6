using System.Runtime.InteropServices;

namespace Defuss.Tests.TestSupport;

/// <summary>Signals and liveness checks on the processes a test started (by pid, never anyone else's).</summary>
internal static partial class Native
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGSTOP = 19;
    public const int SIGCONT = 18;
    public const int SIGINT = 2;
    public const int SIGHUP = 1;
    public const int SIGTTIN = 21;
    public const int SIGTTOU = 22;
    public const int SIGUSR2 = 12;

    public static void Kill(int pid, int signal) => _ = SysKill(pid, signal);

    /// <summary>Whether <paramref name="pid"/> is a live process (a zombie awaiting its parent counts as gone).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The pause between two looks at /proc while waiting for processes to end (there is no event for another process's exit).</summary>
    public static Task ProcessExitPollAsync() => Task.Delay(20);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
