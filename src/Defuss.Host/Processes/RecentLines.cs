namespace Defuss.Processes;

/// <summary>
/// The last lines a process wrote, oldest first, bounded in bytes (each line costs its UTF-16 size and
/// <see cref="LineOverhead"/>, so that a flood of empty lines is bounded too); older lines fall off. A line longer than
/// the whole capacity keeps only its start. Thread-safe.
/// </summary>
internal sealed class RecentLines
{
    /// <summary>What a line costs besides its characters: the string's header and its slot in the queue.</summary>
    public const int LineOverhead = 32;

    private readonly Queue<string> _lines = new();
    private readonly int _capacityBytes;
    private readonly Lock _gate = new();
    private int _bytes;

    public RecentLines(int capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, LineOverhead + sizeof(char));
        _capacityBytes = capacityBytes;
    }

    /// <summary>The bytes the kept lines take now: never more than the capacity.</summary>
    public int Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public void Add(string line)
    {
        if (CostOf(line) > _capacityBytes)
        {
            line = line[..((_capacityBytes - LineOverhead) / sizeof(char))];
        }

        var cost = CostOf(line);
        lock (_gate)
        {
            while (_bytes + cost > _capacityBytes && _lines.TryDequeue(out var oldest))
            {
                _bytes -= CostOf(oldest);
            }

            _lines.Enqueue(line);
            _bytes += cost;
        }
    }

    public string[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _lines];
        }
    }

    private static int CostOf(string line) => LineOverhead + (line.Length * sizeof(char));
}
