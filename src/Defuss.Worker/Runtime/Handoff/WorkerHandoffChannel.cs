using System.Threading.Channels;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime.Handoff;

/// <summary>
/// The worker's end of one handoff channel from the primary: it reads the connections the primary sends, and reports
/// back, in batches, the ones that ended and the ones it gives back unserved. Every <see cref="ReconcileInterval"/> it
/// also lists the connections it still has open, so that the primary settles any whose report was lost.
/// </summary>
internal sealed partial class WorkerHandoffChannel : IDisposable
{
    /// <summary>The most closed connections reported in one write.</summary>
    private const int MaxBatch = 256;

    /// <summary>
    /// How often the worker lists its open connections to the primary: 5 s, as long as a report may wait for room, so a
    /// lost report costs the primary's router at most a few seconds of a wrong count.
    /// </summary>
    public static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Queued among the ids of ended connections: list the open ones now. No primary numbers a connection so.</summary>
    private const long ReconcileMarker = long.MinValue;

    private readonly DescriptorChannel _channel;
    private readonly ILogger _logger;
    private readonly Channel<long> _reports = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<long> _open = [];
    private readonly Lock _openGate = new();
    private readonly CancellationTokenSource _stopReconciling = new();
    private readonly Task _reporting;
    private readonly Task _reconciling;
    private long _received;
    private int _reconcileDue;
    private int _disposed;

    public WorkerHandoffChannel(int fd, ILogger logger, TimeProvider? timeProvider = null, TimeSpan? reconcileInterval = null)
    {
        _channel = new DescriptorChannel(fd);
        _logger = logger;
        _reporting = Task.Run(ReportLoopAsync);
        _reconciling = Task.Run(() => ReconcileLoopAsync(timeProvider ?? TimeProvider.System, reconcileInterval ?? ReconcileInterval));
    }

    /// <summary>How many connections from this channel are open in the worker (received, neither ended nor given back).</summary>
    public int OpenConnections
    {
        get
        {
            lock (_openGate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>
    /// Blocks for the next frame from the primary; see <see cref="DescriptorChannel.ReadFrame"/>. A connection it returns
    /// counts as open from then on, until <see cref="ReportClosed"/> or <see cref="Return"/>.
    /// </summary>
    public bool ReadFrame(out HandoffFrameKind kind, out long id, out ReadOnlySpan<byte> payload, out int descriptor)
    {
        if (!_channel.ReadFrame(out kind, out id, out payload, out descriptor))
        {
            return false;
        }

        if (kind == HandoffFrameKind.Connection)
        {
            if (id == ReconcileMarker)
            {
                _ = LinuxSockets.Close(descriptor);
                throw new FormatException("A Connection handoff frame has the id no primary gives a connection.");
            }

            // Listed before it is counted: a reconciliation that counts it also finds it open (or reported).
            lock (_openGate)
            {
                _open.Add(id);
            }

            Interlocked.Increment(ref _received);
        }

        return true;
    }

    /// <summary>Queues the report that connection <paramref name="id"/> has ended; only the first report of an open connection counts.</summary>
    public void ReportClosed(long id)
    {
        if (Forget(id))
        {
            _ = _reports.Writer.TryWrite(id);
        }
    }

    /// <summary>Gives connection <paramref name="id"/> back to the primary, untouched, and closes this process's descriptor.</summary>
    public void Return(long id, int descriptor)
    {
        // Forgotten first: if the frame cannot be sent, the next reconciliation tells the primary the connection is gone.
        _ = Forget(id);
        _ = _channel.Send(HandoffFrameKind.Returned, id, ReadOnlySpan<byte>.Empty, descriptor);
        _ = LinuxSockets.Close(descriptor);
    }

    /// <summary>
    /// Stops receiving: the primary's next send fails at once (so it routes elsewhere), while what it has already sent
    /// can still be read and given back. Reports keep flowing.
    /// </summary>
    public void StopReceiving() => _channel.Shutdown(LinuxSockets.ShutRead);

    /// <summary>
    /// Ends the channel in both directions at once, so that the primary sees the end, drops it and settles its
    /// connections; reports still queued are not sent. Wakes a blocked reader; <see cref="Dispose"/> follows.
    /// </summary>
    public void Abort()
    {
        _ = _reports.Writer.TryComplete();
        _channel.Shutdown(LinuxSockets.ShutReadWrite);
    }

    /// <summary>Sends the reports still queued (briefly), then closes the channel. Call it once the reader has returned.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopReconciling.Cancel();
        _ = _reports.Writer.TryComplete();
        _ = _reporting.Wait(ReportTimeout);
        _ = _reconciling.Wait(ReportTimeout);
        _channel.Dispose();
        _stopReconciling.Dispose();
    }

    private bool Forget(long id)
    {
        lock (_openGate)
        {
            return _open.Remove(id);
        }
    }

    private async Task ReconcileLoopAsync(TimeProvider timeProvider, TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopReconciling.Token).ConfigureAwait(false))
            {
                // One pending at a time: a reconciliation queued behind a slow send is as good as two.
                if (Interlocked.Exchange(ref _reconcileDue, 1) == 0 && !_reports.Writer.TryWrite(ReconcileMarker))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The channel is closing.
        }
    }

    private async Task ReportLoopAsync()
    {
        var frames = new byte[MaxBatch * HandoffFrame.HeaderSize];
        var reader = _reports.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var count = 0;
            var reconcile = false;
            while (count < MaxBatch && !reconcile && reader.TryRead(out var id))
            {
                if (id == ReconcileMarker)
                {
                    reconcile = true;
                    break;
                }

                HandoffFrame.WriteHeader(frames.AsSpan(count * HandoffFrame.HeaderSize), HandoffFrameKind.Closed, id, 0);
                count++;
            }

            if (count > 0 && !_channel.SendFrames(frames.AsSpan(0, count * HandoffFrame.HeaderSize), ReportTimeout))
            {
                WorkerLog.HandoffReportsDropped(_logger, count);
            }

            if (reconcile)
            {
                Volatile.Write(ref _reconcileDue, 0);
                SendReconciliation();
            }
        }
    }
}
