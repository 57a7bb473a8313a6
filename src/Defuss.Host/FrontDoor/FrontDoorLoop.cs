using System.Collections.Concurrent;
using Akka.Dispatch;
using Defuss.Worker.Interop;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

/// <summary>
/// One thread, and one epoll, for everything a handed-off connection costs the primary: the listening sockets' accepts,
/// the router actor's mailbox (the loop is its dispatcher's executor, <see cref="FrontDoorLoopDispatcher"/>), the
/// handoff sends, and the workers' reports on their channels. A connection then goes from accept to its worker, and from
/// its end to the router's release, without waking another thread, and every wake-up of the loop serves all that is
/// ready: a burst of accepts, the routing answers of the whole burst, every report a worker has written.
/// </summary>
/// <remarks>
/// Work posted from another thread wakes the loop (an eventfd write) only when it sleeps; work posted on the loop runs
/// in the same round. A watched descriptor is level-triggered: a watcher that leaves bytes unread is called again on the
/// next round. Watchers and work items run on the loop and must not block. A failing one is logged and the loop goes on.
/// After <see cref="Dispose"/>, work items still posted (an actor that stops after the front door) run on the thread pool.
/// </remarks>
internal sealed class FrontDoorLoop : IDisposable
{
    private const int MaxEvents = 64;

    /// <summary>The most work items one round runs before it looks at the descriptors again.</summary>
    private const int WorkPerRound = 1024;

    private readonly Epoll _epoll = new();
    private readonly ConcurrentQueue<IRunnable> _work = new();
    private readonly ConcurrentDictionary<ulong, ILoopWatcher> _watchers = new();
    private readonly PriorityQueue<Action, long> _timers = new();
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong _lastToken;

    /// <summary>1 while the loop waits in epoll (or is about to): a post from another thread must wake it.</summary>
    private int _asleep;
    private volatile bool _stopping;

    /// <summary>1 once the loop's thread runs no more work: from then on, posts go to the thread pool.</summary>
    private int _exited;

    public FrontDoorLoop(ILogger logger, TimeProvider? timeProvider = null, string name = "Defuss front door")
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Whether the caller runs on the loop's thread.</summary>
    public bool IsLoopThread => Thread.CurrentThread == _thread;

    /// <summary>Completes when the loop's thread has ended.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Runs <paramref name="work"/> on the loop: in this round when posted from it, else as soon as it wakes.</summary>
    public void Post(Action work) => Post(new ActionWork(work));

    /// <summary>Runs <paramref name="work"/> on the loop (the router's mailbox, say), without allocating.</summary>
    public void Post(IRunnable work)
    {
        _work.Enqueue(work);
        if (Volatile.Read(ref _exited) != 0)
        {
            DrainToThreadPool();
        }
        else if (!IsLoopThread && Interlocked.Exchange(ref _asleep, 0) == 1)
        {
            _epoll.Wake();
        }
    }

    /// <summary>
    /// Calls <paramref name="watcher"/> on the loop whenever <paramref name="fd"/> is readable (or hung up) until
    /// <see cref="Unwatch"/>; returns the registration's token, or throws when epoll refuses the descriptor.
    /// </summary>
    public ulong Watch(int fd, ILoopWatcher watcher)
    {
        var token = Interlocked.Increment(ref _lastToken);
        _watchers[token] = watcher;
        var error = _epoll.Add(fd, Epoll.In | Epoll.RdHup, token);
        if (error != 0)
        {
            _watchers.TryRemove(token, out _);
            throw new IOException($"The front door loop cannot watch descriptor {fd} (errno {error}).");
        }

        return token;
    }

    /// <summary>Stops watching <paramref name="fd"/> (before it is closed: a registration outlives the number).</summary>
    public void Unwatch(int fd, ulong token)
    {
        _epoll.Remove(fd);
        _watchers.TryRemove(token, out _);
    }

    /// <summary>Runs <paramref name="work"/> on the loop after <paramref name="delay"/>; call it on the loop.</summary>
    public void After(TimeSpan delay, Action work)
    {
        if (!IsLoopThread)
        {
            Post(() => After(delay, work));
            return;
        }

        _timers.Enqueue(work, _timeProvider.GetTimestamp() + (long)(delay.TotalSeconds * _timeProvider.TimestampFrequency));
    }

    /// <summary>Stops the loop's thread once it has run the work already posted; later posts go to the thread pool.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _epoll.Wake();
        if (!IsLoopThread)
        {
            _thread.Join();
        }
    }

    private void Run()
    {
        Span<(uint Events, ulong Token)> ready = stackalloc (uint, ulong)[MaxEvents];
        try
        {
            while (!_stopping)
            {
                RunWork();
                RunDueTimers();

                // Announce the sleep, then look once more: a post that came before the announcement is seen here, and
                // one after it sees the announcement and wakes the wait.
                Interlocked.Exchange(ref _asleep, 1);
                var timeout = _work.IsEmpty ? TimeoutMs() : 0;
                var count = _epoll.Wait(ready, timeout);
                Interlocked.Exchange(ref _asleep, 0);
                for (var i = 0; i < count; i++)
                {
                    if (ready[i].Token != Epoll.WakeToken && _watchers.TryGetValue(ready[i].Token, out var watcher))
                    {
                        Guarded(static (w, events) => w.OnReady(events), watcher, ready[i].Events);
                    }
                }
            }
        }
        finally
        {
            // What was posted before the stop runs on the thread pool, and so does whatever comes later. A full fence
            // between the mark and the drain, as between a post's enqueue and its look at the mark: one sees the other.
            Interlocked.Exchange(ref _exited, 1);
            DrainToThreadPool();
            _epoll.Dispose();
            _stopped.TrySetResult();
        }
    }

    private void RunWork()
    {
        for (var i = 0; i < WorkPerRound && _work.TryDequeue(out var work); i++)
        {
            Guarded(static (w, _) => w.Run(), work, 0u);
        }
    }

    private void RunDueTimers()
    {
        if (_timers.Count == 0)
        {
            return;
        }

        var now = _timeProvider.GetTimestamp();
        while (_timers.TryPeek(out var work, out var due) && due <= now)
        {
            _ = _timers.Dequeue();
            Guarded(static (w, _) => w(), work, 0u);
        }
    }

    private int TimeoutMs()
    {
        if (!_timers.TryPeek(out _, out var due))
        {
            return -1;
        }

        var remaining = _timeProvider.GetElapsedTime(_timeProvider.GetTimestamp(), due);
        return remaining <= TimeSpan.Zero ? 0 : (int)Math.Ceiling(remaining.TotalMilliseconds);
    }

    private void DrainToThreadPool()
    {
        while (_work.TryDequeue(out var work))
        {
            ThreadPool.UnsafeQueueUserWorkItem(work, preferLocal: false);
        }
    }

    private void Guarded<T>(Action<T, uint> action, T target, uint events)
    {
        try
        {
            action(target, events);
        }
        catch (Exception exception)
        {
            FrontDoorLog.LoopWorkFailed(_logger, exception);
        }
    }
}

/// <summary>A plain action posted to the loop.</summary>
file sealed class ActionWork(Action action) : IRunnable
{
    public void Run() => action();

    public void Execute() => action();
}

/// <summary>What the <see cref="FrontDoorLoop"/> calls when a watched descriptor is ready.</summary>
internal interface ILoopWatcher
{
    /// <summary>Called on the loop with the ready events; must not block.</summary>
    void OnReady(uint events);
}
