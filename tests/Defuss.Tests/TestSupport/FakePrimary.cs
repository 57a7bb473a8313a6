using System.Net.Sockets;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.TestSupport;

/// <summary>The primary's end of one worker's control channel: a real Unix-socket listener that accepts one worker.</summary>
internal sealed class FakePrimary : IAsyncDisposable
{
    private readonly Socket _listener;
    private Socket? _connection;
    private NetworkStream? _stream;

    public FakePrimary(string socketPath)
    {
        SocketPath = socketPath;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(1);
    }

    public string SocketPath { get; }

    private NetworkStream Stream => _stream ?? throw new InvalidOperationException("No worker has connected yet.");

    public async Task AcceptAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        _connection = await _listener.AcceptAsync(timeout.Token);
        _stream = new NetworkStream(_connection, ownsSocket: true);
    }

    /// <summary>The next frame; <c>null</c> when the worker closed the channel.</summary>
    public async Task<ControlMessage?> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        return await ControlFraming.ReadAsync(Stream, timeout.Token).AsTask().WaitAsync(TestTimeouts.Default);
    }

    /// <summary>The next frame, which must be a <typeparamref name="T"/>.</summary>
    public async Task<T> ExpectAsync<T>()
        where T : ControlMessage
    {
        var message = await ReadAsync();
        return message.Should().BeOfType<T>().Subject;
    }

    /// <summary>Skips frames until a <typeparamref name="T"/> that matches <paramref name="predicate"/> arrives.</summary>
    public Task<T> ReadUntilAsync<T>(Func<T, bool>? predicate = null)
        where T : ControlMessage => ReadUntilCoreAsync(predicate).WaitAsync(TestTimeouts.Default);

    /// <summary>Reads until the worker closes the channel; returns what arrived on the way.</summary>
    public async Task<IReadOnlyList<ControlMessage>> ReadToEndAsync()
    {
        var messages = new List<ControlMessage>();
        while (await ReadAsync() is { } message)
        {
            messages.Add(message);
        }

        return messages;
    }

    public async Task SendAsync(ControlMessage message)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        await ControlFraming.WriteAsync(Stream, message, timeout.Token).AsTask().WaitAsync(TestTimeouts.Default);
    }

    /// <summary>Writes bytes that need not be a valid frame.</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        await Stream.WriteAsync(bytes, timeout.Token).AsTask().WaitAsync(TestTimeouts.Default);
    }

    /// <summary>Closes the channel, as the OS does when the primary dies.</summary>
    public void CloseConnection() => _stream?.Dispose();

    /// <summary>Waits until a frame is unread, then closes: the worker sees a reset, as when a busy primary is killed.</summary>
    public async Task ResetConnectionAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        var connection = _connection ?? throw new InvalidOperationException("No worker has connected yet.");

        // A zero-byte receive completes when data is waiting, without consuming it.
        await connection.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, timeout.Token).AsTask().WaitAsync(TestTimeouts.Default);
        _stream?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _stream?.Dispose();
        _listener.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<T> ReadUntilCoreAsync<T>(Func<T, bool>? predicate)
        where T : ControlMessage
    {
        while (true)
        {
            var message = await ReadAsync() ?? throw new InvalidOperationException($"The worker closed the channel before a matching {typeof(T).Name}.");
            if (message is T match && (predicate is null || predicate(match)))
            {
                return match;
            }
        }
    }
}
