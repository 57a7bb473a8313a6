using System.Text;

namespace Defuss.Tests.TestSupport;

/// <summary>A TextWriter that records whole lines and lets a test await a line, instead of polling or sleeping.</summary>
internal sealed partial class LineRecorder : TextWriter
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<string> _labelled = [];
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

    /// <summary>Every line as written, with the worker label the primary's echo puts before it.</summary>
    public IReadOnlyList<string> LabelledLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _labelled];
            }
        }
    }

    /// <summary>
    /// Records what the echo wrote: the lines of one read joined with newlines, each labelled with its worker; a line is
    /// recorded (and matched) without its label, so that tests compare what the worker wrote.
    /// </summary>
    public override void WriteLine(string? value)
    {
        foreach (var labelled in (value ?? string.Empty).Split('\n'))
        {
            Record(labelled);
        }
    }

    private void Record(string labelled)
    {
        var line = Label().Replace(labelled, "", 1);
        List<TaskCompletionSource<string>> found = [];
        lock (_gate)
        {
            _labelled.Add(labelled);
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

    [System.Text.RegularExpressions.GeneratedRegex(@"^\[w\d+ \d+\] ")]
    private static partial System.Text.RegularExpressions.Regex Label();

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
