namespace Defuss.Processes;

/// <summary>The last lines a process wrote, oldest first; older lines fall off. Thread-safe.</summary>
internal sealed class RecentLines
{
    // Bounds the memory of a process that writes one endless line.
    internal const int MaxLineLength = 4096;

    private readonly Queue<string> _lines;
    private readonly int _capacity;
    private readonly Lock _gate = new();

    public RecentLines(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
        _lines = new Queue<string>(capacity);
    }

    public void Add(string line)
    {
        if (line.Length > MaxLineLength)
        {
            line = line[..MaxLineLength];
        }

        lock (_gate)
        {
            if (_lines.Count == _capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }
    }

    public string[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _lines];
        }
    }
}
