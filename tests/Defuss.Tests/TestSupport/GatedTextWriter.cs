using System.Text;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A console that does not read: every write blocks until the test opens the gate (as a full pipe nobody reads blocks its
/// writer). Records the lines that got through, and says when a writer is blocked in it.
/// </summary>
internal sealed class GatedTextWriter : TextWriter
{
    private readonly ManualResetEventSlim _gate = new(initialState: false);
    private readonly LineRecorder _lines = new();
    private int _blocked;

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>The lines written once the gate let them through.</summary>
    public IReadOnlyList<string> Lines => _lines.Lines;

    /// <summary>Whether a writer is waiting at the gate now.</summary>
    public bool HasBlockedWriter => Volatile.Read(ref _blocked) > 0;

    public void Open() => _gate.Set();

    /// <summary>Blocks the writes that come next again.</summary>
    public void Shut() => _gate.Reset();

    public Task<string> WaitForLineAsync(Func<string, bool> match) => _lines.WaitForLineAsync(match);

    public override void WriteLine(string? value)
    {
        Interlocked.Increment(ref _blocked);
        try
        {
            // A bounded wait, so that a test that forgets to open the gate ends its writer thread anyway.
            _gate.Wait(TimeSpan.FromMinutes(1));
        }
        finally
        {
            Interlocked.Decrement(ref _blocked);
        }

        _lines.WriteLine(value);
    }

    public override void Write(char value) => throw new NotSupportedException("Only whole lines are written.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gate.Set();
            _gate.Dispose();
            _lines.Dispose();
        }

        base.Dispose(disposing);
    }
}
