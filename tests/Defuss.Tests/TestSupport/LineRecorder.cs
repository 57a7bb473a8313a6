using System.Text;

namespace Defuss.Tests.TestSupport;

/// <summary>A TextWriter that records whole lines and lets a test await a line, instead of polling or sleeping.</summary>
internal sealed class LineRecorder : TextWriter
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public override void WriteLine(string? value)
    {
        var line = value ?? string.Empty;
        List<TaskCompletionSource<string>> found = [];
        lock (_gate)
        {
            _lines.Add(line);
            _waiters.RemoveAll(w =>
            {
                if (!w.Match(line))
                {
                    return false;
                }

                found.Add(w.Found);
                return true;
            });
        }

        found.ForEach(f => f.TrySetResult(line));
    }

    public override void Write(char value) => throw new NotSupportedException("Only whole lines are recorded.");

    public Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        lock (_gate)
        {
            var existing = _lines.Find(l => match(l));
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task;
        }
    }
}
