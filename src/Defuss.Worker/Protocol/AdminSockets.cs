namespace Defuss.Worker.Protocol;

/// <summary>
/// Where a primary keeps its private local admin socket, and where the <c>defuss</c> tool looks for them: one directory
/// per user, only that user may open (mode 0700), holding <c>primary-PID.sock</c> for every running primary.
/// </summary>
/// <remarks>Compiled into the <c>defuss</c> tool as well (linked source), so that both sides agree on one rule.</remarks>
internal static class AdminSockets
{
    /// <summary>The file name prefix of a primary's admin socket.</summary>
    public const string Prefix = "primary-";

    /// <summary>The file name suffix of a primary's admin socket.</summary>
    public const string Suffix = ".sock";

    /// <summary>
    /// The user's admin-socket directory: <c>$XDG_RUNTIME_DIR/defuss</c> when the session has a runtime directory (it is
    /// private to the user already), else <c>defuss-UID</c> in the temp folder; <c>DEFUSS_ADMIN_DIR</c> overrides both.
    /// </summary>
    public static string Directory()
    {
        if (Environment.GetEnvironmentVariable("DEFUSS_ADMIN_DIR") is { Length: > 0 } overridden)
        {
            return overridden;
        }

        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && System.IO.Directory.Exists(runtime))
        {
            return Path.Combine(runtime, "defuss");
        }

        var user = OperatingSystem.IsWindows() ? Environment.UserName : UserId().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Path.Combine(Path.GetTempPath(), "defuss-" + user);
    }

    /// <summary>The socket path of the primary with process id <paramref name="pid"/>.</summary>
    public static string PathFor(int pid) =>
        Path.Combine(Directory(), Prefix + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + Suffix);

    /// <summary>The process id a socket file name stands for, or null for a file that is not a primary's socket.</summary>
    public static int? PidOf(string path)
    {
        var name = Path.GetFileName(path);
        return name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(Suffix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint UserId();
}
