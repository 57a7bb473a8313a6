using System.Runtime.InteropServices;

namespace Defuss.Processes;

/// <summary>
/// The primary's open-descriptor limit (<c>RLIMIT_NOFILE</c>): raised at start to the hard limit, as servers do, and the
/// budget the front door may spend of it. The workers inherit the raised limit.
/// </summary>
internal static partial class DescriptorLimit
{
    /// <summary>Descriptors kept for the primary's own work (logging, control, assemblies it loads later, worker launch).</summary>
    public const int Reserve = 64;

    /// <summary>Descriptors kept for each worker: its control channel, its output pipes, its handoff channel.</summary>
    public const int ReservePerWorker = 8;

    private const int RlimitNofile = 7;

    /// <summary>
    /// Raises the soft limit to the hard one; returns both as they were, and the limit in force now. On a system other
    /// than Linux, or when the limit cannot be read, returns null and changes nothing.
    /// </summary>
    public static (long Before, long Now)? RaiseToHard()
    {
        if (!OperatingSystem.IsLinux() || GetLimit(RlimitNofile, out var limit) != 0)
        {
            return null;
        }

        var before = (long)Math.Min(limit.Current, long.MaxValue);
        if (limit.Current < limit.Maximum && SetLimit(RlimitNofile, new RLimit(limit.Maximum, limit.Maximum)) == 0)
        {
            return (before, (long)Math.Min(limit.Maximum, long.MaxValue));
        }

        return (before, before);
    }

    /// <summary>How many descriptors this process has open now, or -1 when it cannot tell.</summary>
    public static int OpenNow()
    {
        try
        {
            return Directory.GetFiles("/proc/self/fd").Length;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>
    /// The most connections the front door may hold within <paramref name="limit"/>: what is left once the descriptors
    /// open now and the reserve are set aside, halved, since a proxied connection holds two. Never below 1.
    /// </summary>
    public static int MaxConnectionsWithin(long limit, int openNow, int workers)
    {
        var spare = limit - Math.Max(0, openNow) - Reserve - ((long)ReservePerWorker * workers);
        return (int)Math.Clamp(spare / 2, 1, int.MaxValue);
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetLimit(int resource, in RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct RLimit(ulong current, ulong maximum)
    {
        public readonly ulong Current = current;
        public readonly ulong Maximum = maximum;
    }
}
