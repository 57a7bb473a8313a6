using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Defuss.Hosting;

/// <summary>
/// sd_notify, in the few lines it takes: datagrams of <c>KEY=VALUE</c> lines to the socket systemd names in
/// <c>NOTIFY_SOCKET</c> (a path, or an abstract name after <c>@</c>). Written here rather than taken from
/// Microsoft.Extensions.Hosting.Systemd, whose lifetime sends <c>READY=1</c> when the host has started: the primary is
/// ready only once its front door listens, it reloads and stops on its own signals, and it pings the watchdog only while
/// its actor system answers. Sending never blocks and never throws: a lost notification is systemd's to time out.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    /// <summary>The variables systemd sets for the service's main process, which its workers must not inherit.</summary>
    public static readonly string[] Variables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"];

    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endpoint;

    private SystemdNotifier(string address)
    {
        // An abstract socket's name starts with a NUL byte where the variable has '@'.
        _endpoint = new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
    }

    /// <summary>How often to ping the watchdog: half of <c>WATCHDOG_USEC</c>, when systemd watches this process.</summary>
    public TimeSpan? WatchdogInterval { get; private init; }

    /// <summary>The notifier systemd asked for through the environment, or null when the primary does not run under it.</summary>
    public static SystemdNotifier? FromEnvironment(Func<string, string?>? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariable;
        if (OperatingSystem.IsWindows() || variables("NOTIFY_SOCKET") is not { Length: > 1 } address)
        {
            return null;
        }

        TimeSpan? watchdog = null;
        if (long.TryParse(variables("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            && (!int.TryParse(variables("WATCHDOG_PID"), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId))
        {
            watchdog = TimeSpan.FromMicroseconds(usec / 2.0);
        }

        return new SystemdNotifier(address) { WatchdogInterval = watchdog };
    }

    /// <summary>The monotonic clock in microseconds, as <c>MONOTONIC_USEC</c> wants it (CLOCK_MONOTONIC, which Stopwatch reads on Linux).</summary>
    public static long MonotonicMicroseconds => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));

    /// <summary>Sends <paramref name="state"/> (lines of <c>KEY=VALUE</c>); false when it could not be sent.</summary>
    public bool Notify(string state)
    {
        try
        {
            return _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endpoint) > 0;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
