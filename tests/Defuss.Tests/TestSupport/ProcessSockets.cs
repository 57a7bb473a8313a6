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

    /// <summary>The inode of the socket listening on 127.0.0.1:<paramref name="port"/> (from <c>/proc/net/tcp</c>), or null when none listens.</summary>
    public static string? ListeningInode(int port)
    {
        // "sl local_address rem_address st ...": 0100007F:PORT in hex, state 0A is LISTEN, the inode is field 9.
        var local = $"0100007F:{port:X4}";
        return File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 9 && fields[1] == local && fields[3] == "0A")
            .Select(fields => fields[9])
            .FirstOrDefault();
    }

    /// <summary>Which of <paramref name="pids"/> (those still alive) hold the socket with <paramref name="inode"/>.</summary>
    public static int[] Holding(string inode, IEnumerable<int> pids) =>
        pids.Where(pid => Directory.Exists($"/proc/{pid}/fd"))
            .Where(pid => { try { return Of(pid).Contains($"socket:[{inode}]"); } catch (IOException) { return false; } catch (UnauthorizedAccessException) { return false; } })
            .ToArray();
}
