namespace Defuss.Tests.TestSupport;

/// <summary>
/// What a test heard, in the order it came, and a wait for the first item, heard before or after the call, that
/// matches: the core of the test's log and event recorders.
/// </summary>
internal sealed class Recording<T>
    where T : class
{
    private readonly Lock _gate = new();
    private readonly List<T> _items = [];
    private readonly List<(Func<T, bool> Predicate, TaskCompletionSource<T> Found)> _waiters = [];

    /// <summary>A copy of everything heard so far.</summary>
    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_gate)
            {
                return [.. _items];
            }
        }
    }

    public void Add(T item)
    {
        lock (_gate)
        {
            _items.Add(item);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(item))
                {
                    _waiters[i].Found.TrySetResult(item);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Completes with the first item that matches <paramref name="predicate"/>; the caller sets the deadline.</summary>
    public Task<T> WaitForAsync(Func<T, bool> predicate)
    {
        lock (_gate)
        {
            if (_items.FirstOrDefault(predicate) is { } heard)
            {
                return Task.FromResult(heard);
            }

            var waiter = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((predicate, waiter));
            return waiter.Task;
        }
    }
}
