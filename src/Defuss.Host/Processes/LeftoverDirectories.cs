using System.Globalization;
using System.Runtime.InteropServices;

namespace Defuss.Processes;

/// <summary>
/// The private <c>defuss-*</c> directories that primaries killed without a chance to clean up (SIGKILL, a power cut) left
/// in the temp folder, and the one rule for removing them: a directory of this user, not a link, whose primary no longer
/// runs, as its <see cref="PidFile"/> names it. A directory without that file (another program's, or a primary's that
/// has not written it yet) is never touched.
/// </summary>
internal static partial class LeftoverDirectories
{
    /// <summary>The prefix of a primary's private directory in the temp folder.</summary>
    public const string Prefix = "defuss-";

    /// <summary>The file in a private directory that holds its primary's pid.</summary>
    public const string PidFile = "primary.pid";

    /// <summary>Records in <paramref name="directory"/> that the primary with <paramref name="pid"/> owns it.</summary>
    public static void Claim(string directory, int pid) =>
        File.WriteAllText(Path.Combine(directory, PidFile), pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Removes from <paramref name="root"/> the private directories of this user whose primary no longer runs, never
    /// <paramref name="keep"/>; returns the ones removed. A directory it cannot read or remove is left, silently: it may
    /// be in use, or not ours.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string root, string? keep)
    {
        var removed = new List<string>();
        if (OperatingSystem.IsWindows() || !Directory.Exists(root))
        {
            return removed;
        }

        foreach (var directory in Directory.EnumerateDirectories(root, Prefix + "*"))
        {
            try
            {
                if (directory != keep && OwnDirectory(directory) && IsStale(directory))
                {
                    Directory.Delete(directory, recursive: true);
                    removed.Add(directory);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
            {
                // In use (a primary starting right now), or not ours to read: left as it is.
            }
        }

        return removed;
    }

    /// <summary>
    /// Whether the primary that <paramref name="directory"/>'s pid file names no longer runs. A directory without a pid
    /// file is never stale: it may be a primary's that has not written it yet, or not a primary's at all.
    /// </summary>
    private static bool IsStale(string directory)
    {
        var pidFile = Path.Combine(directory, PidFile);
        return File.Exists(pidFile)
            && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && !UnixSignals.Exists(pid);
    }

    /// <summary>Whether <paramref name="path"/> is a directory (not a link to one) that this user owns.</summary>
    private static unsafe bool OwnDirectory(string path)
    {
        // struct stat's st_mode and st_uid sit at different offsets per architecture; elsewhere nothing is removed.
        var (modeOffset, uidOffset) = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => (24, 28),
            Architecture.Arm64 => (16, 24),
            _ => (-1, -1),
        };
        if (modeOffset < 0)
        {
            return false;
        }

        var buffer = stackalloc byte[256];
        if (LStat(path, buffer) != 0)
        {
            return false;
        }

        const uint TypeMask = 0xF000;
        const uint DirectoryType = 0x4000;
        return (*(uint*)(buffer + modeOffset) & TypeMask) == DirectoryType && *(uint*)(buffer + uidOffset) == EffectiveUserId();
    }

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int LStat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint EffectiveUserId();
}
