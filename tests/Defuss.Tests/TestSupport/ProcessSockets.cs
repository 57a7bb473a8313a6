namespace Defuss.Tests.TestSupport;

/// <summary>
/// The sockets a process holds open, read from <c>/proc/PID/fd</c>: what a connection holds. (Other descriptors move by
/// themselves under load: the runtime maps another assembly when tiered compilation reaches a hot path.)
/// </summary>
internal static class ProcessSockets
{
    /// <summary>The socket inodes <paramref name="pid"/> holds now (<c>socket:[inode]</c>).</summary>
    public static List<string> Of(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fd")
            .Select(fd => { try { return new FileInfo(fd).LinkTarget ?? ""; } catch (IOException) { return ""; } })
            .Where(target => target.StartsWith("socket:", StringComparison.Ordinal))
            .ToList();

    /// <summary>How many sockets each of <paramref name="pids"/> holds now.</summary>
    public static int[] Counts(int[] pids) => pids.Select(pid => Of(pid).Count).ToArray();

    /// <summary>
    /// The socket counts once they have stopped moving (the last connections' ends are reported a moment after the client
    /// sees them): equal to <paramref name="expected"/>, or steady for a second; at most <paramref name="within"/> (15 s).
    /// </summary>
    public static async Task<int[]> SettledCountsAsync(int[] pids, int[]? expected = null, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        var last = Counts(pids);
        var steady = 0;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (DateTime.UtcNow < deadline && steady < 20 && !(expected is not null && last.SequenceEqual(expected)))
        {
            await tick.WaitForNextTickAsync();
            var now = Counts(pids);
            steady = now.SequenceEqual(last) ? steady + 1 : 0;
            last = now;
        }

        return last;
    }

    /// <summary>
    /// The socket counts once they equal <paramref name="expected"/>, or as they are after <paramref name="within"/>: for
    /// counts that only come down at a deadline of Defuss's own (a timeout), where being steady a while means nothing.
    /// </summary>
    public static async Task<int[]> ReachAsync(int[] pids, int[] expected, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var counts = Counts(pids);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!counts.SequenceEqual(expected) && DateTime.UtcNow < deadline)
        {
            await tick.WaitForNextTickAsync();
            counts = Counts(pids);
        }

        return counts;
    }
}
