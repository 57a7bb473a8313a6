namespace Defuss.Tests.TestSupport;

/// <summary>A count that tests can await reaching a value.</summary>
internal sealed class AsyncCounter
{
    private readonly Lock _gate = new();
    private readonly List<(int Target, TaskCompletionSource Signal)> _waiters = [];
    private int _count;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public void Increment()
    {
        lock (_gate)
        {
            _count++;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_count >= _waiters[i].Target)
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Completes once the count reaches <paramref name="target"/>; fails after <see cref="TestTimeouts.Default"/>.</summary>
    public Task WaitForAsync(int target)
    {
        lock (_gate)
        {
            if (_count >= target)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, signal));
            return signal.Task.WaitAsync(TestTimeouts.Default);
        }
    }
}
