using Defuss.Processes;

namespace Defuss.Upgrade;

/// <summary>
/// The new primary's standard error while a hand-over is under way, as the old primary sees it: a pipe it reads at full
/// speed, echoes to its own standard error (through a bounded lane, so the journal or terminal gets every line, as if the
/// new primary wrote there itself), and keeps the last lines of for a failure's reason, so that a new primary that dies
/// before it can say why (an exception while the app starts, a runtime that does not load) is named by what it wrote.
/// The new primary takes its own standard error back before it says it accepts (<see cref="DescriptorRedirect"/>), and
/// then the pipe ends, as it does when the new primary exits.
/// </summary>
internal sealed class SuccessorErrorOutput : IDisposable
{
    /// <summary>How many bytes of the new primary's last error lines are kept for a failure's reason: 16 KiB.</summary>
    public const int RecentBytes = 16 * 1024;

    /// <summary>How many of those lines a failure's reason names.</summary>
    public const int ReasonLines = 20;

    private readonly Stream _pipe;
    private readonly RecentLines _recent = new(RecentBytes);
    private readonly Task _reading;

    /// <param name="pipe">The read end of the new primary's standard error; disposed with this.</param>
    /// <param name="echo">Where its lines go on to: this primary's own standard error.</param>
    public SuccessorErrorOutput(Stream pipe, OutputEchoLane echo)
    {
        _pipe = pipe;
        _reading = ReadAsync(echo);
    }

    /// <summary>
    /// The last lines the new primary wrote, once the pipe has ended (so that nothing it wrote before it exited is missed)
    /// or <paramref name="timeout"/> has passed.
    /// </summary>
    public async Task<IReadOnlyList<string>> LastLinesAsync(TimeSpan timeout)
    {
        try
        {
            await _reading.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A process the new primary started holds the pipe: what was read so far is named.
        }

        return _recent.Snapshot();
    }

    /// <summary>Stops reading: the new primary has taken its standard error back, or is gone.</summary>
    public void Dispose() => _pipe.Dispose();

    private async Task ReadAsync(OutputEchoLane echo)
    {
        try
        {
            await OutputPieces.ReadAsync(_pipe, lines =>
            {
                if (lines.Count == 0)
                {
                    return;
                }

                foreach (var line in lines)
                {
                    _recent.Add(line);
                }

                echo.TryWrite([.. lines]);
                lines.Clear();
            }).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Disposed: the hand-over is over.
        }
    }
}
