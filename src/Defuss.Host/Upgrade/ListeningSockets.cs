using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Defuss.Worker.Interop;

namespace Defuss.Upgrade;

/// <summary>
/// Listening sockets the primary did not bind itself: systemd's (socket activation: <c>LISTEN_FDS</c> and
/// <c>LISTEN_PID</c>, descriptors from 3 on) or the ones a hand-over passed. Each must be a TCP socket that listens; it is
/// made close-on-exec, so that no worker inherits it.
/// </summary>
internal static class ListeningSockets
{
    /// <summary>systemd's first passed descriptor (<c>SD_LISTEN_FDS_START</c>).</summary>
    public const int FirstSystemdDescriptor = 3;

    /// <summary>The most sockets systemd may pass here: one per public endpoint.</summary>
    public const int MaxSystemdSockets = 64;

    private const int SoType = 3;
    private const int SoAcceptConn = 30;

    /// <summary>
    /// The sockets systemd passed to this process, or null when it passed none (no <c>LISTEN_FDS</c>, or a
    /// <c>LISTEN_PID</c> that is another process's). Throws <see cref="InvalidOperationException"/> naming the variable or
    /// the descriptor that is wrong.
    /// </summary>
    public static IReadOnlyList<Socket>? FromSystemd(Func<string, string?>? variables = null, int? pid = null)
    {
        variables ??= Environment.GetEnvironmentVariable;
        if (OperatingSystem.IsWindows() || variables("LISTEN_FDS") is not { Length: > 0 } countText)
        {
            return null;
        }

        if (!int.TryParse(variables("LISTEN_PID"), NumberStyles.None, CultureInfo.InvariantCulture, out var listenPid) || listenPid != (pid ?? Environment.ProcessId))
        {
            // Meant for another process (the service's main process before a hand-over, say).
            return null;
        }

        if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > MaxSystemdSockets)
        {
            throw new InvalidOperationException($"LISTEN_FDS is '{countText}': expected from 1 to {MaxSystemdSockets} sockets passed by systemd.");
        }

        var sockets = new List<Socket>(count);
        try
        {
            for (var fd = FirstSystemdDescriptor; fd < FirstSystemdDescriptor + count; fd++)
            {
                sockets.Add(Adopt(fd, $"LISTEN_FDS descriptor {fd}"));
            }
        }
        catch
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            throw;
        }

        return sockets;
    }

    /// <summary>
    /// Takes <paramref name="fd"/> as a listening TCP socket (made close-on-exec); <paramref name="what"/> names it in the
    /// <see cref="InvalidOperationException"/> thrown when it is not one (the descriptor is then left as it was).
    /// </summary>
    public static Socket Adopt(int fd, string what)
    {
        // Looked at through a handle that does not own the descriptor: one refused is left exactly as it was.
        var probeHandle = new SafeSocketHandle(fd, ownsHandle: false);
        try
        {
            using var probe = new Socket(probeHandle);

            // SO_TYPE fails (ENOTSOCK) on a descriptor that is no socket, which the socket's own properties do not tell.
            Span<byte> type = stackalloc byte[sizeof(int)];
            _ = probe.GetRawSocketOption(LinuxSockets.SolSocket, SoType, type);
            if (probe.SocketType != SocketType.Stream || probe.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                throw new InvalidOperationException($"{what} is a {probe.AddressFamily} {probe.SocketType} socket; the front door takes TCP sockets.");
            }

            Span<byte> listening = stackalloc byte[sizeof(int)];
            if (probe.GetRawSocketOption(LinuxSockets.SolSocket, SoAcceptConn, listening) < sizeof(int) || BitConverter.ToInt32(listening) == 0)
            {
                throw new InvalidOperationException($"{what} ({probe.LocalEndPoint}) does not listen.");
            }
        }
        catch (SocketException exception)
        {
            throw new InvalidOperationException($"{what} is not a socket: {exception.Message}", exception);
        }
        finally
        {
            probeHandle.Dispose();
        }

        _ = LinuxSockets.Fcntl(fd, FSetFd, LinuxSockets.FdCloexec);
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    /// <summary>The socket's bound address, as a hand-over names it.</summary>
    public static IPEndPoint EndpointOf(Socket socket) => (IPEndPoint)socket.LocalEndPoint!;

    /// <summary>
    /// Lets a socket that another process also holds (a successor, or systemd) be closed here without ending it there:
    /// .NET's close may shut down or disconnect a socket it finds in use, but leaves one alone that is not close-on-exec,
    /// since "it may be shared with other processes". Called just before the close.
    /// </summary>
    public static void MarkShared(Socket socket)
    {
        try
        {
            _ = LinuxSockets.Fcntl((int)socket.Handle, FSetFd, 0);
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }
    }

    private const int FSetFd = 2;
}
