using Defuss.Telemetry;
using Microsoft.Extensions.Logging;

namespace Defuss.Processes;

/// <summary>
/// Echoes the workers' lines of one stream to the primary's own (its standard output or error) through a queue bounded
/// in bytes, drained by a dedicated writer thread: the only thread that ever writes to that stream on the workers'
/// behalf, and so the only one a console that does not read (a full pipe nobody reads) can block. A line that finds the
/// queue full is dropped, counted at once in <c>defuss.worker.output.dropped</c>, and reported in a log line, written by
/// the writer once it can write again, at most once every <see cref="ReportInterval"/>. Enqueueing never blocks: the
/// readers call it from socket-engine threads.
/// </summary>
internal sealed class OutputEchoLane
{
    /// <summary>The shortest interval between two lines that report dropped output.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long the writer thread waits with nothing to write before it ends (a new one starts with the next line).</summary>
    private static readonly TimeSpan IdleExit = TimeSpan.FromSeconds(30);

    /// <summary>The characters after which the writer takes no more pieces out of the queue, and writes and flushes what
    /// it took (so a lane holds at most its capacity plus one such batch and one piece).</summary>
    internal const int BatchChars = 16 * 1024;

    private readonly object _gate = new();
    private readonly Queue<IReadOnlyList<string>> _queue = new();
    private readonly TextWriter _target;
    private readonly int _capacityBytes;
    private readonly ILogger _logger;
    private readonly DefussMetrics? _metrics;
    private readonly TimeProvider _timeProvider;
    private Thread? _writer;
    private bool _writing;
    private int _queuedBytes;
    private long _droppedSinceReport;
    private long _dropped;
    private long _lastReport;
    private TaskCompletionSource? _drained;

    /// <param name="stream"><c>stdout</c> or <c>stderr</c>: the name in the metric's tag and the log line.</param>
    /// <param name="target">The primary's own stream; only the writer thread writes to it.</param>
    /// <param name="capacityBytes">How many bytes of lines may wait (each line costs its UTF-16 size and <see cref="RecentLines.LineOverhead"/>).</param>
    /// <param name="logger">Where the lane reports the lines it dropped.</param>
    /// <param name="metrics">Counts the dropped lines; <c>null</c> counts nothing.</param>
    /// <param name="timeProvider">Spaces the reports of dropped lines.</param>
    public OutputEchoLane(string stream, TextWriter target, int capacityBytes, ILogger logger, DefussMetrics? metrics, TimeProvider timeProvider)
    {
        Stream = stream;
        _target = target;
        _capacityBytes = capacityBytes;
        _logger = logger;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _lastReport = timeProvider.GetTimestamp() - (long)(ReportInterval.TotalSeconds * timeProvider.TimestampFrequency);
    }

    /// <summary><c>stdout</c> or <c>stderr</c>.</summary>
    public string Stream { get; }

    /// <summary>Every line dropped so far.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Queues <paramref name="lines"/> (one piece of a worker's output) for the writer, to be written one after another
    /// with no other piece between them, or drops them all if the queue cannot hold them; never blocks. A piece stays a
    /// list of lines, not one string, so that a large one does not land on the large object heap.
    /// </summary>
    public bool TryWrite(IReadOnlyList<string> lines)
    {
        var cost = 0;
        foreach (var line in lines)
        {
            cost += RecentLines.LineOverhead + (line.Length * sizeof(char));
        }

        lock (_gate)
        {
            if (_queuedBytes + cost > _capacityBytes)
            {
                // Only a full queue drops, so the writer is busy and will report it.
                _droppedSinceReport += lines.Count;
                Interlocked.Add(ref _dropped, lines.Count);
            }
            else
            {
                Enqueue(lines, cost);
                return true;
            }
        }

        _metrics?.WorkerOutputDropped(Stream, lines.Count);
        return false;
    }

    /// <summary>Under the lock: queues the piece, and wakes the writer, or starts one if it has ended.</summary>
    private void Enqueue(IReadOnlyList<string> lines, int cost)
    {
        _queue.Enqueue(lines);
        _queuedBytes += cost;
        if (_writer is null)
        {
            _writer = new Thread(Run) { IsBackground = true, Name = "Defuss worker " + Stream };
            _writer.Start();
        }
        else
        {
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Completes once every line queued so far has been written.</summary>
    public Task WhenDrainedAsync()
    {
        lock (_gate)
        {
            return _queue.Count == 0 && !_writing
                ? Task.CompletedTask
                : (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>Logs the drops not reported yet, whatever the interval: at the primary's stop, the last chance.</summary>
    public void ReportRemainingDrops()
    {
        long dropped;
        lock (_gate)
        {
            dropped = _droppedSinceReport;
            _droppedSinceReport = 0;
        }

        if (dropped > 0)
        {
            ProcessLog.WorkerOutputDropped(_logger, dropped, Stream, (long)ReportInterval.TotalSeconds);
        }
    }

    /// <summary>The writer thread: takes a batch, writes and flushes it (blocking here, and only here), reports drops.</summary>
    private void Run()
    {
        var batch = new List<IReadOnlyList<string>>();
        while (true)
        {
            lock (_gate)
            {
                _writing = false;
                while (_queue.Count == 0 && (_droppedSinceReport == 0 || !ReportDue()))
                {
                    _drained?.TrySetResult();
                    _drained = null;
                    if (!Monitor.Wait(_gate, _droppedSinceReport == 0 ? IdleExit : ReportInterval) && _queue.Count == 0 && _droppedSinceReport == 0)
                    {
                        _writer = null;
                        return;
                    }
                }

                var chars = 0;
                while (chars < BatchChars && _queue.TryDequeue(out var piece))
                {
                    batch.Add(piece);
                    foreach (var line in piece)
                    {
                        chars += line.Length;
                        _queuedBytes -= RecentLines.LineOverhead + (line.Length * sizeof(char));
                    }
                }

                _writing = true;
            }

            Write(batch);
            batch.Clear();
            ReportDrops();
        }
    }

    /// <summary>On the writer thread, once it could write again: the drops since the last report, if one is due.</summary>
    private void ReportDrops()
    {
        long dropped;
        lock (_gate)
        {
            if (_droppedSinceReport == 0 || !ReportDue())
            {
                return;
            }

            dropped = _droppedSinceReport;
            _droppedSinceReport = 0;
            _lastReport = _timeProvider.GetTimestamp();
        }

        ProcessLog.WorkerOutputDropped(_logger, dropped, Stream, (long)ReportInterval.TotalSeconds);
    }

    private bool ReportDue() => _timeProvider.GetElapsedTime(Volatile.Read(ref _lastReport)) >= ReportInterval;

    private void Write(List<IReadOnlyList<string>> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            foreach (var piece in batch)
            {
                foreach (var line in piece)
                {
                    _target.WriteLine(line);
                }
            }

            _target.Flush();
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            // The primary's own stream is gone (its reader closed it): the lines have nowhere to go.
        }
    }
}
