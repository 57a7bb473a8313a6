using System.Globalization;

namespace Defuss.Tests.TestSupport;

/// <summary>The pipes processes hold, read from <c>/proc/PID/fd</c> and <c>/proc/PID/fdinfo</c>.</summary>
internal static class ProcessPipes
{
    /// <summary>
    /// The pipes (<c>pipe:[inode]</c>) that <paramref name="pid"/> writes to and that no process reads: what it writes there
    /// is lost (a pipe whose reader has exited).
    /// </summary>
    public static IReadOnlyList<string> WrittenButUnread(int pid)
    {
        var written = Written(pid).ToHashSet();
        foreach (var process in Processes())
        {
            written.ExceptWith(Descriptors(process).Where(d => d.Reads).Select(d => d.Link));
        }

        return [.. written];
    }

    /// <summary>The pipes (<c>pipe:[inode]</c>) that <paramref name="pid"/> writes to, whoever reads them.</summary>
    public static IReadOnlySet<string> Written(int pid) => Descriptors(pid).Where(d => !d.Reads).Select(d => d.Link).ToHashSet();

    /// <summary>What descriptor <paramref name="fd"/> of <paramref name="pid"/> refers to (<c>pipe:[4711]</c>, a path).</summary>
    public static string? LinkOf(int pid, int fd) => new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget;

    /// <summary>For a failure's message: each pipe descriptor of <paramref name="pid"/>, with its flags, and who else holds that pipe.</summary>
    public static string Describe(int pid)
    {
        var others = Processes().Where(other => other != pid).Select(other => (Pid: other, Pipes: Descriptors(other))).ToList();
        return string.Join(Environment.NewLine, Descriptors(pid).Select(d =>
        {
            var holders = others.SelectMany(other => other.Pipes.Where(o => o.Link == d.Link).Select(o => $"{other.Pid}({(o.Reads ? "r" : "w")}:{CommandLine(other.Pid)})"));
            return $"fd {d.Fd} {d.Link} flags {d.Flags} also held by {string.Join(", ", holders)}";
        }));
    }

    private static IEnumerable<int> Processes() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit)).Select(name => int.Parse(name!, CultureInfo.InvariantCulture));

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>
    /// Each pipe descriptor of <paramref name="pid"/>, with its open flags (octal) and whether it is open for reading;
    /// none once it has exited or is not ours to read.
    /// </summary>
    private static List<(int Fd, string Link, string Flags, bool Reads)> Descriptors(int pid)
    {
        string[] descriptors;
        try
        {
            descriptors = Directory.GetFiles($"/proc/{pid}/fd");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // It has exited, or belongs to someone else.
            return [];
        }

        var pipes = new List<(int, string, string, bool)>();
        foreach (var path in descriptors)
        {
            try
            {
                var fd = Path.GetFileName(path);
                if (new FileInfo(path).LinkTarget is { } link && link.StartsWith("pipe:", StringComparison.Ordinal)
                    && File.ReadLines($"/proc/{pid}/fdinfo/{fd}").FirstOrDefault(l => l.StartsWith("flags:", StringComparison.Ordinal)) is { } line)
                {
                    // O_ACCMODE: 0 read, 1 write, 2 both.
                    var flags = line["flags:".Length..].Trim();
                    pipes.Add((int.Parse(fd, CultureInfo.InvariantCulture), link, flags, (Convert.ToInt32(flags, 8) & 3) != 1));
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Closed while the others were read (a busy test host opens and closes descriptors all the time): the rest still count.
            }
        }

        return pipes;
    }
}
