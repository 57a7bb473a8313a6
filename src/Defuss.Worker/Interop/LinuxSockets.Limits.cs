using System.Runtime.InteropServices;

namespace Defuss.Worker.Interop;

internal static unsafe partial class LinuxSockets
{
    private const int RLimitNoFile = 7;

    /// <summary>This process's soft descriptor limit (<c>RLIMIT_NOFILE</c>) now; <see cref="int.MaxValue"/> if it cannot be read or is larger.</summary>
    public static int DescriptorLimit()
    {
        var limit = stackalloc ulong[2];
        return GetRLimit(RLimitNoFile, limit) == 0 ? (int)Math.Min(int.MaxValue, limit[0]) : int.MaxValue;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, ulong* limit);
}
