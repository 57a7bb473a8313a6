namespace Defuss.Cli.Admin;

/// <summary>
/// A token that is cancelled by the caller's token or when <c>timeout</c> has passed on the given clock, whichever
/// comes first; <see cref="Timeout.InfiniteTimeSpan"/> sets no deadline.
/// </summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationTokenSource _linked;

    public Deadline(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            return;
        }

        _timer = new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
    }

    public CancellationToken Token => _linked.Token;

    public void Dispose()
    {
        _linked.Dispose();
        _timer?.Dispose();
    }
}
