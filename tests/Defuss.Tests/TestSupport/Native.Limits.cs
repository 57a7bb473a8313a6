using System.Runtime.InteropServices;

namespace Defuss.Tests.TestSupport;

/// <summary>The descriptor limit of a process the test started (by pid), changed while it runs, as <c>prlimit --pid</c> does.</summary>
internal static unsafe partial class Native
{
    private const int RLimitNoFile = 7;

    /// <summary>Sets <paramref name="pid"/>'s soft descriptor limit to <paramref name="soft"/>, keeping the hard one at <paramref name="hard"/>.</summary>
    public static void SetDescriptorLimit(int pid, int soft, int hard)
    {
        var limit = stackalloc ulong[2];
        limit[0] = (ulong)soft;
        limit[1] = (ulong)hard;
        if (PrLimit(pid, RLimitNoFile, limit, null) != 0)
        {
            throw new InvalidOperationException($"prlimit({pid}, RLIMIT_NOFILE, {soft}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>The soft and hard descriptor limits of <paramref name="pid"/>.</summary>
    public static (int Soft, int Hard) DescriptorLimit(int pid)
    {
        var limit = stackalloc ulong[2];
        if (PrLimit(pid, RLimitNoFile, null, limit) != 0)
        {
            throw new InvalidOperationException($"prlimit({pid}, RLIMIT_NOFILE) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        return ((int)Math.Min(int.MaxValue, limit[0]), (int)Math.Min(int.MaxValue, limit[1]));
    }

    [LibraryImport("libc", EntryPoint = "prlimit", SetLastError = true)]
    private static partial int PrLimit(int pid, int resource, ulong* newLimit, ulong* oldLimit);
}
