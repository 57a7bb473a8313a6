using System.Net.Sockets;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime;

/// <summary>
/// A worker's end of the control socket. Sends are serialized, because heartbeats and <see cref="Stopping"/> come from
/// different threads; there is one reader.
/// </summary>
internal sealed class ControlChannel : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    private ControlChannel(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    // Throws TimeoutException, with the last connect error inside, when the socket has not accepted within the timeout.
    public static async Task<ControlChannel> ConnectAsync(
        string path, TimeSpan timeout, TimeProvider timeProvider, ILogger logger, CancellationToken cancellationToken)
    {
        var endPoint = new UnixDomainSocketEndPoint(path);
        using var deadline = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        SocketException? lastError = null;
        try
        {
            while (true)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(endPoint, linked.Token);
                    return new ControlChannel(socket);
                }
                catch (SocketException exception)
                {
                    // The primary creates the socket before it starts a worker; this covers a slow listen or a restart race.
                    socket.Dispose();
                    lastError = exception;
                    WorkerLog.ControlConnectRetry(logger, path, exception.SocketErrorCode);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                await Task.Delay(RetryDelay, timeProvider, linked.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The control socket {path} did not accept a connection within {timeout}.", lastError);
        }
    }

    public async Task SendAsync(ControlMessage message, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await ControlFraming.WriteAsync(_stream, message, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    // Null when the primary closed the channel.
    public ValueTask<ControlMessage?> ReceiveAsync(CancellationToken cancellationToken) =>
        ControlFraming.ReadAsync(_stream, cancellationToken);

    public ValueTask DisposeAsync()
    {
        // Disposing the stream closes the socket, which fails any pending send or receive.
        _stream.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
