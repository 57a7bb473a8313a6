using System.Net.Sockets;
using Defuss.Actors.Workers;
using Defuss.Worker.Protocol;

namespace Defuss.Control;

/// <summary>The primary's end of one worker's control channel. Writes are serialized; a failed write closes the channel.</summary>
internal sealed class ControlSession(Socket socket) : IWorkerControlSession, IDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _closed;

    public Stream Stream => _stream;

    public void SendStop(TimeSpan deadline) =>
        _ = SendAsync(new Stop((int)Math.Clamp(deadline.TotalMilliseconds, 0, int.MaxValue)));

    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _stream.Dispose();
        }
    }

    public void Dispose() => Close();

    private async Task SendAsync(ControlMessage message)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await ControlFraming.WriteAsync(_stream, message).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or SocketException)
        {
            Close();
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
