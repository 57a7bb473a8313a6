using System.Threading.Channels;

namespace Defuss.Processes;

/// <summary>One line a worker wrote, as the primary keeps it for <c>/logs</c> and <c>defuss logs</c>.</summary>
/// <param name="Sequence">Its place among every line the primary kept, counting from 1.</param>
/// <param name="Time">When the primary read it.</param>
/// <param name="Worker">The index of the worker that wrote it.</param>
/// <param name="Pid">The process id of the worker that wrote it.</param>
/// <param name="Stream"><c>stdout</c> or <c>stderr</c>.</param>
/// <param name="Text">The line, without its line break.</param>
internal sealed record WorkerLogLine(long Sequence, DateTimeOffset Time, int Worker, int Pid, string Stream, string Text);

/// <summary>
/// The last lines of each worker (across its incarnations), bounded per worker in lines and bytes, and the followers that
/// want the new ones as they come. Adding never blocks: the pumps call it from socket-engine threads, and a follower
/// that falls <see cref="FollowerBuffer"/> lines behind loses its oldest.
/// </summary>
internal sealed class WorkerLogBook
{
    /// <summary>How many lines each worker keeps at most.</summary>
    public const int LinesPerWorker = 1000;

    /// <summary>How many bytes of lines each worker keeps at most: 256 KiB.</summary>
    public const int BytesPerWorker = 256 * 1024;

    /// <summary>How many lines a follower may fall behind before its oldest are dropped.</summary>
    public const int FollowerBuffer = 4096;

    private readonly Lock _gate = new();
    private readonly Dictionary<int, Ring> _rings = [];
    private readonly List<Channel<WorkerLogLine>> _followers = [];
    private readonly TimeProvider _time;
    private long _sequence;

    public WorkerLogBook(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public void Add(int worker, int pid, string stream, string text)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var line = new WorkerLogLine(++_sequence, now, worker, pid, stream, text);
            if (!_rings.TryGetValue(worker, out var ring))
            {
                _rings[worker] = ring = new Ring();
            }

            ring.Add(line);
            foreach (var follower in _followers)
            {
                follower.Writer.TryWrite(line);
            }
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of <paramref name="worker"/> (or of each worker), oldest first.</summary>
    public IReadOnlyList<WorkerLogLine> Tail(int? worker, int lines)
    {
        lock (_gate)
        {
            return [.. _rings
                .Where(pair => worker is null || pair.Key == worker)
                .SelectMany(pair => pair.Value.Last(lines))
                .OrderBy(line => line.Sequence)];
        }
    }

    /// <summary>
    /// The last <paramref name="lines"/> lines, then every new one of <paramref name="worker"/> (or of every worker) as it
    /// comes, with none lost or repeated between the two, until <paramref name="cancellationToken"/> ends it.
    /// </summary>
    public async IAsyncEnumerable<WorkerLogLine> FollowAsync(int? worker, int lines, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var follower = Channel.CreateBounded<WorkerLogLine>(new BoundedChannelOptions(FollowerBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        IReadOnlyList<WorkerLogLine> tail;
        lock (_gate)
        {
            _followers.Add(follower);
            tail = Tail(worker, lines);
        }

        try
        {
            var last = 0L;
            foreach (var line in tail)
            {
                last = line.Sequence;
                yield return line;
            }

            await foreach (var line in follower.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (line.Sequence > last && (worker is null || line.Worker == worker))
                {
                    yield return line;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _followers.Remove(follower);
            }
        }
    }

    /// <summary>How many followers are attached now.</summary>
    public int Followers
    {
        get
        {
            lock (_gate)
            {
                return _followers.Count;
            }
        }
    }

    private sealed class Ring
    {
        private readonly Queue<WorkerLogLine> _lines = new();
        private int _bytes;

        public void Add(WorkerLogLine line)
        {
            _lines.Enqueue(line);
            _bytes += CostOf(line);
            while (_lines.Count > LinesPerWorker || (_bytes > BytesPerWorker && _lines.Count > 1))
            {
                _bytes -= CostOf(_lines.Dequeue());
            }
        }

        public IEnumerable<WorkerLogLine> Last(int count) => _lines.Skip(Math.Max(0, _lines.Count - count));

        private static int CostOf(WorkerLogLine line) => RecentLines.LineOverhead + 64 + (line.Text.Length * sizeof(char));
    }
}
