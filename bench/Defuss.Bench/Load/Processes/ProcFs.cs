using System.Globalization;

namespace Defuss.Bench.Load.Processes;

/// <summary>One process as <c>/proc/PID/stat</c> describes it.</summary>
/// <param name="Pid">Its id.</param>
/// <param name="ParentPid">Its parent's id.</param>
/// <param name="State">R, S, D, Z (a zombie), X (dead), ...</param>
/// <param name="UserTicks">CPU time in user mode (utime), in clock ticks.</param>
/// <param name="SystemTicks">CPU time in the kernel (stime), in clock ticks.</param>
/// <param name="StartTicks">When it started, in clock ticks after boot: with the pid, it names one process even after the pid is reused.</param>
internal sealed record ProcStat(int Pid, int ParentPid, char State, long UserTicks, long SystemTicks, long StartTicks)
{
    public bool IsGone => State is 'Z' or 'X';

    public long CpuTicks => UserTicks + SystemTicks;
}

/// <summary>Reads <c>/proc</c>: a process's CPU time and resident memory, and the processes below one.</summary>
internal static class ProcFs
{
    /// <summary>Parses a <c>/proc/PID/stat</c> line; null when it is not one.</summary>
    public static ProcStat? ParseStat(string line)
    {
        // The command name is in parentheses and may hold spaces and parentheses itself: the fields start after the last ')'.
        var open = line.IndexOf('(', StringComparison.Ordinal);
        var close = line.LastIndexOf(')');
        if (open <= 0 || close < open || close + 2 > line.Length)
        {
            return null;
        }

        var fields = line[(close + 2)..].Split(' ');
        // Field 3 (state) is fields[0]; 4 (ppid) fields[1]; 14 utime fields[11]; 15 stime fields[12]; 22 starttime fields[19].
        if (fields.Length < 20 || fields[0].Length != 1
            || !int.TryParse(line.AsSpan(0, open).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system)
            || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }

        return new ProcStat(pid, parent, fields[0][0], user, system, start);
    }

    /// <summary>The <c>VmRSS</c> of a <c>/proc/PID/status</c> text, in bytes; null when it has none (a zombie).</summary>
    public static long? ParseResidentBytes(string status)
    {
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line["VmRSS:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib)
                ? kib * 1024
                : null;
        }

        return null;
    }

    /// <summary>Every process below <paramref name="root"/> (children, their children, ...), from pid and parent pairs.</summary>
    public static IReadOnlyList<int> Descendants(int root, IEnumerable<(int Pid, int ParentPid)> processes)
    {
        var children = processes.ToLookup(p => p.ParentPid, p => p.Pid);
        var found = new List<int>();
        var pending = new Queue<int>([root]);
        var seen = new HashSet<int> { root };
        while (pending.TryDequeue(out var parent))
        {
            foreach (var child in children[parent])
            {
                if (seen.Add(child))
                {
                    found.Add(child);
                    pending.Enqueue(child);
                }
            }
        }

        return found;
    }

    /// <summary>The process's stat now; null once it is gone (or reaped).</summary>
    public static ProcStat? ReadStat(int pid)
    {
        try
        {
            return ParseStat(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The process's resident memory now, in bytes; null once it is gone.</summary>
    public static long? ReadResidentBytes(int pid)
    {
        try
        {
            return ParseResidentBytes(File.ReadAllText($"/proc/{pid}/status"));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether the process that had <paramref name="stat"/> is still alive (the same start time: not a reused pid).</summary>
    public static bool IsAlive(ProcStat stat) => ReadStat(stat.Pid) is { IsGone: false } now && now.StartTicks == stat.StartTicks;

    /// <summary>Every live process below <paramref name="root"/> now.</summary>
    public static IReadOnlyList<ProcStat> ReadDescendants(int root)
    {
        var all = new List<ProcStat>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ReadStat(pid) is { IsGone: false } stat)
            {
                all.Add(stat);
            }
        }

        var below = ProcFs.Descendants(root, all.Select(s => (s.Pid, s.ParentPid))).ToHashSet();
        return all.Where(s => below.Contains(s.Pid)).ToArray();
    }
}
