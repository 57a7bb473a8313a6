using System.Collections;
using Defuss.Hosting;

namespace Defuss.Upgrade;

/// <summary>
/// The environment a new primary starts with: the old primary's own, with <c>Defuss:EnvironmentFile</c>'s current
/// variables laid over it (and those the file had when the old primary started but no longer has, removed), without
/// the variables systemd gives one process (<c>LISTEN_*</c>, <c>WATCHDOG_PID</c>: the new primary is another), and with
/// the private socket where the old primary waits for it.
/// </summary>
internal static class SuccessorEnvironment
{
    /// <summary>Set for a new primary: the path of the socket where the primary it takes over from waits for it.</summary>
    public const string SocketVariable = "DEFUSS_UPGRADE_SOCKET";

    /// <summary>Variables a process has from systemd for itself alone, which the new primary must not take as its own.</summary>
    private static readonly string[] NotPassed = ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_PID", SocketVariable];

    /// <summary>
    /// Builds it from <paramref name="current"/> (the process's environment), the file's variables now
    /// (<paramref name="fileNow"/>) and when the primary started (<paramref name="fileAtStart"/>), and the socket path.
    /// </summary>
    public static Dictionary<string, string> Build(
        IDictionary current,
        IReadOnlyDictionary<string, string>? fileNow,
        IReadOnlyDictionary<string, string>? fileAtStart,
        string socketPath)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in current)
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                environment[key] = value;
            }
        }

        foreach (var key in fileAtStart?.Keys ?? [])
        {
            if (fileNow is null || !fileNow.ContainsKey(key))
            {
                environment.Remove(key);
            }
        }

        foreach (var (key, value) in fileNow ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        foreach (var key in NotPassed)
        {
            environment.Remove(key);
        }

        environment[SocketVariable] = socketPath;
        return environment;
    }

    /// <summary>
    /// The file's variables, or null when <c>Defuss:EnvironmentFile</c> is not set; throws <see cref="FormatException"/>
    /// naming the problem. As in systemd's <c>EnvironmentFile=</c>, a path that starts with <c>-</c> may be missing (no
    /// variables then).
    /// </summary>
    public static IReadOnlyDictionary<string, string>? ReadFile(DefussOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.EnvironmentFile))
        {
            return null;
        }

        var path = options.EnvironmentFile;
        if (path.StartsWith('-'))
        {
            path = path[1..];
            if (!File.Exists(path))
            {
                return new Dictionary<string, string>();
            }
        }

        return EnvironmentFile.Read(path);
    }
}
