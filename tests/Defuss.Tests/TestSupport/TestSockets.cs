using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Defuss.Tests.TestSupport;

/// <summary>Client-side helpers for real sockets; every await is bounded by <see cref="TestTimeouts"/>.</summary>
internal static class TestSockets
{
    public static async Task<Socket> ConnectAsync(EndPoint endPoint)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint).WaitAsync(TestTimeouts.Default);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A connected pair on loopback: <c>Client</c> as a client holds it, <c>Accepted</c> as the front door would.</summary>
    public static async Task<(Socket Client, Socket Accepted)> ConnectedPairAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var accept = listener.AcceptSocketAsync();
            var client = await ConnectAsync(listener.LocalEndpoint);
            var accepted = await accept.WaitAsync(TestTimeouts.Default);
            return (client, accepted);
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>
    /// A connected pair on loopback whose <c>Accepted</c> end came from a synchronous <see cref="Socket.Accept"/> and has
    /// never run an async operation, so that its descriptor can be used raw, as the handoff intake uses its own. Keep it
    /// that way: the socket engine would register it with its epoll.
    /// </summary>
    public static async Task<(Socket Client, Socket Accepted)> ConnectedRawPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = await ConnectAsync(listener.LocalEndPoint!);
        try
        {
            if (!listener.Poll(TestTimeouts.Default, SelectMode.SelectRead))
            {
                throw new TimeoutException("The loopback connection was not ready to accept.");
            }

            return (client, listener.Accept());
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public static Task SendAsync(Socket socket, string text) => SendAsync(socket, Encoding.Latin1.GetBytes(text));

    public static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await socket.SendAsync(bytes, SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Default);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Reads until the peer closes its sending side.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var all = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TestTimeouts.Default)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }

    public static async Task<string> ReadToEndAsStringAsync(Socket socket) => Encoding.Latin1.GetString(await ReadToEndAsync(socket));

    /// <summary>
    /// Reads until the peer closes or resets the connection, as Latin-1 text: a server that closes a connection it refused
    /// while request bytes are still unread sends a reset, and what came before it counts.
    /// </summary>
    public static async Task<string> ReadUntilClosedOrResetAsync(Socket socket, TimeSpan? timeout = null)
    {
        var buffer = new byte[16 * 1024];
        var all = new StringBuilder();
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(timeout ?? TestTimeouts.Default)) > 0)
            {
                all.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
        }
        catch (SocketException)
        {
            // The reset ends the connection; it is not a failure of the read.
        }

        return all.ToString();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).AsTask().WaitAsync(TestTimeouts.Default);
            if (read == 0)
            {
                throw new EndOfStreamException($"The peer closed after {filled} of {count} bytes.");
            }

            filled += read;
        }

        return buffer;
    }

    /// <summary>A TCP socket listening on 127.0.0.1 and a port the OS picks, as systemd or an old primary would pass it.</summary>
    public static Socket Listening(int backlog = 16)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(backlog);
        return socket;
    }

    /// <summary>An endpoint whose connects are refused: bound, never listening, held until disposed.</summary>
    public static Socket RefusingEndPoint(out IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        endPoint = (IPEndPoint)socket.LocalEndPoint!;
        return socket;
    }

    /// <summary>The first of <paramref name="count"/> consecutive loopback ports that are free now.</summary>
    public static int FreeConsecutivePorts(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var first = ((IPEndPoint)probe.LocalEndPoint!).Port;
            if (first + count - 1 <= 65535 && Enumerable.Range(first + 1, count - 1).All(PortIsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free loopback ports were found.");
    }

    private static bool PortIsFree(int port)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
