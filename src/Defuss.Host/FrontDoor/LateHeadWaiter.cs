using Defuss.Telemetry;
using Defuss.Worker.Interop;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

/// <summary>
/// Waits, on a thread and a private epoll of its own, for the heads that had not fully arrived when their connection
/// was accepted, each until its inspection deadline. Every wait is one-shot and a head's bytes are read off as they come,
/// so a readiness event always means new bytes: nothing spins.
/// </summary>
/// <remarks>
/// A registration is removed before its head is reported, since the descriptor then goes to a worker and an epoll
/// registration outlives the primary's own close of it. A head that has its result is forgotten at once (its deadline
/// too), and its buffer goes back to the <see cref="Budget"/> that bounds the bytes of every head still waited for.
/// </remarks>
internal sealed class LateHeadWaiter : IDisposable
{
    private const int MaxEvents = 64;

    private readonly Epoll _epoll = new();
    private readonly Dictionary<ulong, RawHead> _waiting = [];
    private readonly SortedSet<(long Deadline, ulong Token)> _deadlines = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly Action<RawHead, SniffResult> _completed;
    private readonly Thread _thread;
    private readonly byte[] _peekBuffer;
    private ulong _lastToken;
    private volatile bool _stopping;

    /// <param name="maxHeaderBytes">The most bytes of a head.</param>
    /// <param name="timeProvider">The clock of the deadlines.</param>
    /// <param name="completed">Called on the waiter's thread with each head's result; it must not block.</param>
    /// <param name="logger">Where a spent budget is reported, if anywhere.</param>
    /// <param name="metrics">Where a spent budget is counted and the heads' bytes observed, if anywhere.</param>
    /// <param name="budgetBytes">The heads' byte budget; defaults to <see cref="HeadBudget.DefaultBytes"/>.</param>
    public LateHeadWaiter(
        int maxHeaderBytes,
        TimeProvider timeProvider,
        Action<RawHead, SniffResult> completed,
        ILogger? logger = null,
        DefussMetrics? metrics = null,
        long? budgetBytes = null)
    {
        Budget = new HeadBudget(budgetBytes ?? HeadBudget.DefaultBytes, logger, metrics, timeProvider);
        metrics?.ObserveHeadMemory(() => Budget.Held);
        _timeProvider = timeProvider;
        _completed = completed;
        _peekBuffer = new byte[maxHeaderBytes];
        _thread = new Thread(Run) { IsBackground = true, Name = "Defuss late heads" };
        _thread.Start();
    }

    /// <summary>How many heads are being waited for.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>The byte budget of every head read off its socket and not complete yet, this waiter's and the accept thread's.</summary>
    public HeadBudget Budget { get; }

    /// <summary>How many heads the waiter keeps anything of (a deadline, a registration): the ones it waits for, no more.</summary>
    internal int Tracked
    {
        get
        {
            lock (_gate)
            {
                return Math.Max(_deadlines.Count, _waiting.Count);
            }
        }
    }

    /// <summary>Waits for more of <paramref name="head"/>, until its deadline.</summary>
    public void Add(RawHead head)
    {
        bool first;
        lock (_gate)
        {
            head.Token = ++_lastToken;
            first = _deadlines.Count == 0 || head.Deadline < _deadlines.Min.Deadline;
            _ = _deadlines.Add((head.Deadline, head.Token));
            Register(head);
        }

        if (first)
        {
            // The waiter may be sleeping until a later deadline, or with none at all.
            _epoll.Wake();
        }
    }

    /// <summary>Stops the thread; the heads still waiting are reported as expired first.</summary>
    public void Dispose()
    {
        _stopping = true;
        _epoll.Wake();
        _thread.Join();
        _epoll.Dispose();
    }

    private void Register(RawHead head)
    {
        _waiting[head.Token] = head;
        // A socket epoll cannot watch (it should not happen) is left to its deadline.
        _ = _epoll.Add(head.Connection.Descriptor, Epoll.In | Epoll.RdHup | Epoll.OneShot, head.Token);
    }

    private void Run()
    {
        Span<(uint Events, ulong Token)> ready = stackalloc (uint, ulong)[MaxEvents];
        var due = new List<RawHead>();
        var stopping = false;
        while (!stopping)
        {
            // Read once a round, and the round that sees it reports every head still waiting: a flag set after the
            // sweep below has read it (during a completion, say) must not end the loop before a sweep has seen it.
            stopping = _stopping;
            var count = _epoll.Wait(ready, stopping ? 0 : TimeoutMs());
            for (var i = 0; i < count; i++)
            {
                if (ready[i].Token == Epoll.WakeToken)
                {
                    continue;
                }

                RawHead? head;
                lock (_gate)
                {
                    _waiting.Remove(ready[i].Token, out head);
                }

                if (head is not null)
                {
                    _epoll.Remove(head.Connection.Descriptor);
                    if (head.Step(_peekBuffer) is { } result)
                    {
                        lock (_gate)
                        {
                            _ = _deadlines.Remove((head.Deadline, head.Token));
                        }

                        Complete(head, result);
                    }
                    else
                    {
                        lock (_gate)
                        {
                            Register(head);
                        }
                    }
                }
            }

            TakeDue(due, stopping ? long.MaxValue : _timeProvider.GetTimestamp());
            foreach (var head in due)
            {
                _epoll.Remove(head.Connection.Descriptor);
                Complete(head, head.Expire());
            }

            due.Clear();
        }
    }

    private void TakeDue(List<RawHead> due, long now)
    {
        lock (_gate)
        {
            while (_deadlines.Count > 0 && _deadlines.Min is var (deadline, token) && deadline <= now)
            {
                _ = _deadlines.Remove((deadline, token));
                if (_waiting.Remove(token, out var head))
                {
                    due.Add(head);
                }
            }
        }
    }

    private int TimeoutMs()
    {
        lock (_gate)
        {
            if (_deadlines.Count == 0)
            {
                return -1;
            }

            var deadline = _deadlines.Min.Deadline;

            var remaining = _timeProvider.GetElapsedTime(_timeProvider.GetTimestamp(), deadline);
            return remaining <= TimeSpan.Zero ? 0 : (int)Math.Ceiling(remaining.TotalMilliseconds);
        }
    }

    private void Complete(RawHead head, SniffResult result)
    {
        try
        {
            _completed(head, result);
        }
        catch (Exception)
        {
            // The callback owns the connection's errors; the waiter must keep serving the others.
        }
    }
}
