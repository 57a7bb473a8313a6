using Defuss.Worker.Protocol;

namespace Defuss.Cli.Admin;

/// <summary>A primary's admin socket as found on disk; whether a primary still answers there is for a request to tell.</summary>
internal sealed record PrimarySocket(int Pid, string Path);

/// <summary>
/// Finds the admin sockets of this user's primaries: the files <c>primary-PID.sock</c> in one directory
/// (<see cref="AdminSockets.Directory"/> unless told another). It only reads the directory: a stale socket left by a
/// primary that ended is skipped by the caller, never deleted, since the tool does not own it.
/// </summary>
internal sealed class PrimaryFinder
{
    public PrimaryFinder(string? directory = null)
    {
        Directory = directory ?? AdminSockets.Directory();
    }

    /// <summary>The directory searched.</summary>
    public string Directory { get; }

    /// <summary>Every primary socket in <see cref="Directory"/>, by pid; empty when the directory does not exist.</summary>
    public IReadOnlyList<PrimarySocket> Find()
    {
        try
        {
            return System.IO.Directory.EnumerateFiles(Directory, AdminSockets.Prefix + "*" + AdminSockets.Suffix)
                .Select(path => AdminSockets.PidOf(path) is { } pid ? new PrimarySocket(pid, path) : null)
                .OfType<PrimarySocket>()
                .OrderBy(socket => socket.Pid)
                .ToList();
        }
        catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
