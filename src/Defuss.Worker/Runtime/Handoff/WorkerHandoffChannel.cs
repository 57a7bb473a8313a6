using System.Buffers;
using System.Threading.Channels;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime.Handoff;

/// <summary>
/// The worker's end of one handoff channel from the primary: it reads the connections the primary sends, and reports
/// back, in batches, the ones that ended and the ones it gives back unserved.
/// </summary>
internal sealed class WorkerHandoffChannel : IDisposable
{
    /// <summary>The most closed connections reported in one write.</summary>
    private const int MaxBatch = 256;

    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(5);

    private readonly DescriptorChannel _channel;
    private readonly ILogger _logger;
    private readonly Channel<long> _closed = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _reporting;

    public WorkerHandoffChannel(int fd, ILogger logger)
    {
        _channel = new DescriptorChannel(fd);
        _logger = logger;
        _reporting = Task.Run(ReportLoopAsync);
    }

    /// <summary>Blocks for the next frame from the primary; see <see cref="DescriptorChannel.ReadFrame"/>.</summary>
    public bool ReadFrame(out HandoffFrameKind kind, out long id, out ReadOnlySpan<byte> payload, out int descriptor) =>
        _channel.ReadFrame(out kind, out id, out payload, out descriptor);

    /// <summary>Queues the report that connection <paramref name="id"/> has ended.</summary>
    public void ReportClosed(long id) => _closed.Writer.TryWrite(id);

    /// <summary>Gives connection <paramref name="id"/> back to the primary, untouched, and closes this process's descriptor.</summary>
    public void Return(long id, int descriptor)
    {
        _ = _channel.Send(HandoffFrameKind.Returned, id, ReadOnlySpan<byte>.Empty, descriptor);
        _ = LinuxSockets.Close(descriptor);
    }

    /// <summary>
    /// Stops receiving: the primary's next send fails at once (so it routes elsewhere), while what it has already sent
    /// can still be read and given back. Reports keep flowing.
    /// </summary>
    public void StopReceiving() => _channel.Shutdown(LinuxSockets.ShutRead);

    /// <summary>Sends the reports still queued (briefly), then closes the channel. Call it once the reader has returned.</summary>
    public void Dispose()
    {
        _closed.Writer.TryComplete();
        _ = _reporting.Wait(ReportTimeout);
        _channel.Dispose();
    }

    private async Task ReportLoopAsync()
    {
        var frames = new byte[MaxBatch * HandoffFrame.HeaderSize];
        var reader = _closed.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var count = 0;
            while (count < MaxBatch && reader.TryRead(out var id))
            {
                HandoffFrame.WriteHeader(frames.AsSpan(count * HandoffFrame.HeaderSize), HandoffFrameKind.Closed, id, 0);
                count++;
            }

            if (!_channel.SendFrames(frames.AsSpan(0, count * HandoffFrame.HeaderSize), ReportTimeout))
            {
                WorkerLog.HandoffReportsDropped(_logger, count);
            }
        }
    }
}
