using System.Net.Sockets;
using System.Text;

namespace Defuss.Tests.TestSupport;

/// <summary>What systemd would hear: every datagram on a Unix datagram socket, in order.</summary>
internal sealed class NotifyReceiver : IDisposable
{
    private readonly Socket _socket;
    private readonly List<string> _messages = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private NotifyReceiver(Socket socket, string path)
    {
        _socket = socket;
        Path = path;
        _ = ReceiveAsync();
    }

    public string Path { get; }

    public List<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public static NotifyReceiver Bind(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return new NotifyReceiver(socket, path);
    }

    /// <summary>Waits (up to 30 s) until <paramref name="count"/> messages match; returns the last of them.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, int count = 1)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var matching = Messages.Where(match).ToArray();
            if (matching.Length >= count)
            {
                return matching[count - 1];
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                throw new TimeoutException($"Fewer than {count} matching notifications; heard: {string.Join(" | ", Messages).Replace("\n", "\\n", StringComparison.Ordinal)}");
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                lock (_messages)
                {
                    _messages.Add(Encoding.UTF8.GetString(buffer, 0, received));
                }

                _arrived.Release();
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Disposed at the test's end.
        }
    }
}
