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
        var written = Descriptors(pid).Where(d => !d.Reads).Select(d => d.Link).ToHashSet();
        foreach (var process in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit)))
        {
            foreach (var descriptor in Descriptors(int.Parse(process!, CultureInfo.InvariantCulture)).Where(d => d.Reads))
            {
                written.Remove(descriptor.Link);
            }
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
        var lines = new List<string>();
        foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } link && link.StartsWith("pipe:", StringComparison.Ordinal))
                {
                    var flags = File.ReadLines($"/proc/{pid}/fdinfo/{Path.GetFileName(fd)}").First(l => l.StartsWith("flags:", StringComparison.Ordinal));
                    var holders = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit) && name != pid.ToString(CultureInfo.InvariantCulture))
                        .SelectMany(other => Descriptors(int.Parse(other!, CultureInfo.InvariantCulture)).Where(d => d.Link == link).Select(d => $"{other}({(d.Reads ? "r" : "w")}:{Comm(other!)})"));
                    lines.Add($"fd {Path.GetFileName(fd)} {link} {flags.Replace('\t', ' ')} also held by {string.Join(", ", holders)}");
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
            }
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Comm(string pid)
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

    /// <summary>Each pipe descriptor of <paramref name="pid"/>, and whether it is open for reading; none once it has exited or is not ours to read.</summary>
    private static List<(string Link, bool Reads)> Descriptors(int pid)
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

        var pipes = new List<(string, bool)>();
        foreach (var fd in descriptors)
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } link && link.StartsWith("pipe:", StringComparison.Ordinal)
                    && File.ReadLines($"/proc/{pid}/fdinfo/{Path.GetFileName(fd)}").FirstOrDefault(l => l.StartsWith("flags:", StringComparison.Ordinal)) is { } flags)
                {
                    // O_ACCMODE: 0 read, 1 write, 2 both.
                    var mode = Convert.ToInt32(flags["flags:".Length..].Trim(), 8) & 3;
                    pipes.Add((link, mode != 1));
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
