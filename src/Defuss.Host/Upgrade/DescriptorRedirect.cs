using Defuss.Worker.Interop;

namespace Defuss.Upgrade;

/// <summary>
/// Points every descriptor of this process that is the same end of the same file as one descriptor at another instead:
/// how a new primary takes back the standard error passed to it with the offer, from the pipe its old primary read
/// during the hand-over. .NET's console streams hold duplicates of descriptor 2, made when they were first opened, so
/// replacing descriptor 2 alone would leave them writing into a pipe that nobody reads once the old primary exits.
/// </summary>
internal static class DescriptorRedirect
{
    private const int AccessModeMask = 3;

    /// <summary>
    /// Makes <paramref name="from"/>, and each descriptor that is the same file (its link in <c>/proc/self/fd</c>) opened
    /// the same way (read or write), a duplicate of <paramref name="to"/>. Descriptors 0 to 2 stay inheritable, as they
    /// were; the others stay close-on-exec. Returns the descriptors it changed; an <see cref="IOException"/> names the one
    /// it could not.
    /// </summary>
    public static IReadOnlyList<int> Redirect(int from, int to)
    {
        var file = LinkOf(from);
        var mode = LinuxSockets.Fcntl(from, LinuxSockets.FGetFl, 0) & AccessModeMask;
        var same = new List<int> { from };
        if (file is not null)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                if (int.TryParse(Path.GetFileName(entry), out var fd) && fd != from && fd != to && LinkOf(fd) == file
                    && (LinuxSockets.Fcntl(fd, LinuxSockets.FGetFl, 0) & AccessModeMask) == mode)
                {
                    same.Add(fd);
                }
            }
        }

        foreach (var fd in same)
        {
            if (LinuxProcesses.Duplicate(to, fd, fd <= 2 ? 0 : LinuxProcesses.OCloexec) < 0)
            {
                throw new IOException($"descriptor {fd} could not be made a duplicate of descriptor {to} (errno {LinuxProcesses.LastError})");
            }
        }

        return same;
    }

    /// <summary>What <paramref name="fd"/> refers to (<c>pipe:[4711]</c>, a path), or null when it is not open.</summary>
    private static string? LinkOf(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
