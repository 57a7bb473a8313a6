using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A small real backend on loopback TCP (a <see cref="TcpListener"/>) or on a Unix domain socket: an echo server,
/// or a minimal HTTP responder that records the heads it received. Like a worker, it first takes the front door's
/// PROXY v2 header off each connection (recording its client) and closes a connection that does not start with one.
/// </summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly Func<Task<Socket>> _accept;
    private readonly IDisposable _listener;
    private readonly Func<Socket, Task> _handler;
    private readonly ConcurrentDictionary<Socket, Task> _open = new();
    private readonly Task _acceptLoop;

    private TestBackend(EndPoint endPoint, Func<Task<Socket>> accept, IDisposable listener, Func<TestBackend, Func<Socket, Task>> handler)
    {
        EndPoint = endPoint;
        _accept = accept;
        _listener = listener;
        _handler = handler(this);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public EndPoint EndPoint { get; }

    /// <summary>The request heads (up to the blank line) an HTTP backend received, in order.</summary>
    public ConcurrentQueue<byte[]> ReceivedHeads { get; } = new();

    public AsyncCounter Accepted { get; } = new();

    /// <summary>The clients named by the PROXY v2 headers received, in order (null for a LOCAL header).</summary>
    public ConcurrentQueue<IPEndPoint?> ProxyClients { get; } = new();

    /// <summary>The PROXY v2 headers received, whole, in order.</summary>
    public ConcurrentQueue<byte[]> ProxyHeaders { get; } = new();

    public static TestBackend StartTcpEcho() => StartTcp(b => b.EchoAsync);

    public static TestBackend StartTcpHttp(string name) => StartTcp(b => s => b.RespondAsync(s, name));

    /// <summary>Reads the first bytes of each connection, then resets it.</summary>
    public static TestBackend StartTcpResetting() => StartTcp(_ => async socket =>
    {
        await socket.ReceiveAsync(new byte[1024], SocketFlags.None);
        socket.Close(0);
    });

    public static TestBackend StartUnixEcho(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var endPoint = new UnixDomainSocketEndPoint(path);
        socket.Bind(endPoint);
        socket.Listen(64);
        return new TestBackend(endPoint, () => socket.AcceptAsync(), socket, b => b.EchoAsync);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _acceptLoop.WaitAsync(TestTimeouts.Default);
        foreach (var socket in _open.Keys)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_open.Values).WaitAsync(TestTimeouts.Default);
    }

    private static TestBackend StartTcp(Func<TestBackend, Func<Socket, Task>> handler)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new TestBackend(listener.LocalEndpoint, () => listener.AcceptSocketAsync(), new Stopper(listener), handler);
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _accept();
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Accepted.Increment();
            _open[socket] = Task.Run(async () =>
            {
                try
                {
                    if (await ReadProxyHeaderAsync(socket))
                    {
                        await _handler(socket);
                    }
                }
                catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
                {
                }
                finally
                {
                    socket.Dispose();
                    _open.TryRemove(socket, out _);
                }
            });
        }
    }

    private async Task<bool> ReadProxyHeaderAsync(Socket socket)
    {
        var header = new byte[ProxyProtocolV2.FixedLength + ProxyProtocolV2.MaxAddressLength];
        if (!await ReceiveExactlyAsync(socket, header.AsMemory(0, ProxyProtocolV2.FixedLength)))
        {
            return false;
        }

        var length = (header[14] << 8) | header[15];
        if (length > ProxyProtocolV2.MaxAddressLength || !await ReceiveExactlyAsync(socket, header.AsMemory(ProxyProtocolV2.FixedLength, length)))
        {
            return false;
        }

        if (!ProxyProtocolV2.TryRead(header.AsSpan(0, ProxyProtocolV2.FixedLength + length), out _, out var client, out _))
        {
            return false;
        }

        ProxyHeaders.Enqueue(header[..(ProxyProtocolV2.FixedLength + length)]);
        ProxyClients.Enqueue(client);
        return true;
    }

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None);
            if (read == 0)
            {
                return false;
            }

            buffer = buffer[read..];
        }

        return true;
    }

    private async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    private async Task RespondAsync(Socket socket, string name)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(received)) < 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None);
            if (read == 0)
            {
                return;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        var head = received.GetRange(0, headEnd).ToArray();
        ReceivedHeads.Enqueue(head);
        var requestLine = Encoding.Latin1.GetString(head).Split("\r\n")[0].Split(' ');
        var body = $"{name} {requestLine[0]} {requestLine[1]}";
        var response = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
        await socket.SendAsync(Encoding.ASCII.GetBytes(response), SocketFlags.None);
        socket.Shutdown(SocketShutdown.Send);
        while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0)
        {
        }
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (var i = 3; i < bytes.Count; i++)
        {
            if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n')
            {
                return i + 1;
            }
        }

        return -1;
    }

    private sealed class Stopper(TcpListener listener) : IDisposable
    {
        public void Dispose() => listener.Stop();
    }
}
