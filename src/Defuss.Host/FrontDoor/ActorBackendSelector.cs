using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using Akka.Actor;
using Defuss.Actors.Routing;

namespace Defuss.FrontDoor;

/// <summary>Chooses backends by asking the router actor, once per connection.</summary>
/// <remarks>
/// The ask is leaner than Akka's <c>Ask</c>: its reply target is a <see cref="RoutingReply"/>, which the router's answer
/// completes inline, so the front door's continuation (a non-blocking send, or an async connect) runs on the router's
/// thread instead of hopping through the thread pool, and no temporary actor is registered or unregistered. Nor is a timer
/// armed per question: one sweep, a few times per routing timeout, gives up on the questions past their deadline (and
/// on those whose connection was aborted), so a question costs one reply object, which is also what the front door awaits.
/// </remarks>
internal sealed class ActorBackendSelector : IBackendSelector, IDisposable
{
    private readonly IActorRef _router;
    private readonly IActorRefProvider _provider;
    private readonly ActorPath _replyPath;
    private readonly TimeProvider _timeProvider;
    private readonly long _timeoutTicks;
    private readonly ConcurrentQueue<RoutingReply> _pending = new();
    private readonly ITimer _sweeper;

    public ActorBackendSelector(IActorRef router, TimeSpan routingTimeout, TimeProvider? timeProvider = null)
    {
        _router = router;
        _provider = ((IInternalActorRef)router).Provider;
        _replyPath = _provider.TempPath();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _timeoutTicks = (long)(routingTimeout.TotalSeconds * _timeProvider.TimestampFrequency);
        var period = TimeSpan.FromTicks(Math.Clamp(routingTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 100));
        _sweeper = _timeProvider.CreateTimer(static self => ((ActorBackendSelector)self!).Sweep(), this, period, period);
    }

    /// <summary>Questions asked and not yet swept away (answered ones go at the next sweep).</summary>
    internal int Pending => _pending.Count;

    public ValueTask<BackendCandidate?> ChooseAsync(ParsedRequest request, CancellationToken cancellationToken)
    {
        var reply = new RoutingReply(_router, _provider, _replyPath, _timeProvider.GetTimestamp() + _timeoutTicks, cancellationToken);
        _pending.Enqueue(reply);
        _router.Tell(new ChooseBackend(request), reply);
        return new ValueTask<BackendCandidate?>(reply, 0);
    }

    public void Dispose() => _sweeper.Dispose();

    /// <summary>
    /// Drops the answered questions at the head of the queue and gives up on those past their deadline (no backend) or
    /// aborted (cancelled). Questions are queued in the order of their deadlines, so the sweep stops at the first one still
    /// in time; an abort cancels every connection at once, so it is seen at the head too.
    /// </summary>
    private void Sweep()
    {
        var now = _timeProvider.GetTimestamp();
        while (_pending.TryPeek(out var reply))
        {
            if (!reply.IsSettled && reply.Deadline > now && !reply.Cancellation.IsCancellationRequested)
            {
                break;
            }

            _ = _pending.TryDequeue(out _);
            reply.GiveUp();
        }
    }

    public void Release(BackendCandidate backend) => _router.Tell(new ReleaseBackend(backend.Id), ActorRefs.NoSender);

    public void ReportConnectFailure(BackendCandidate backend, string reason) =>
        _router.Tell(new BackendConnectFailed(backend.Id, reason), ActorRefs.NoSender);

    /// <summary>
    /// The sender of one routing question: the first message told to it is the answer, completed inline. An answer that
    /// comes after the asker gave up (<see cref="GiveUp"/>) is a lease nobody will use: it is released at once.
    /// </summary>
    /// <remarks>It is also the question's awaitable (one object per question): it is completed once and awaited once.</remarks>
    private sealed class RoutingReply(IActorRef router, IActorRefProvider provider, ActorPath path, long deadline, CancellationToken cancellation)
        : MinimalActorRef, IValueTaskSource<BackendCandidate?>
    {
        private const int Waiting = 0;
        private const int Answered = 1;
        private const int Abandoned = 2;

        /// <summary>Continuations run inline, on whichever thread answers: the router's (the front door's loop) or the sweep's.</summary>
        private ManualResetValueTaskSourceCore<BackendCandidate?> _answer;
        private int _state;

        public long Deadline => deadline;

        public CancellationToken Cancellation => cancellation;

        public bool IsSettled => Volatile.Read(ref _state) != Waiting;

        public override ActorPath Path => path;

        public override IActorRefProvider Provider => provider;

        /// <summary>The asker stops waiting: cancelled if its connection was aborted, else no backend.</summary>
        public void GiveUp()
        {
            if (Interlocked.CompareExchange(ref _state, Abandoned, Waiting) != Waiting)
            {
                return;
            }

            if (cancellation.IsCancellationRequested)
            {
                _answer.SetException(new OperationCanceledException(cancellation));
            }
            else
            {
                _answer.SetResult(null);
            }
        }

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (Interlocked.CompareExchange(ref _state, Answered, Waiting) == Waiting)
            {
                _answer.SetResult((message as BackendLease)?.Backend);
            }
            else if (message is BackendLease late)
            {
                router.Tell(new ReleaseBackend(late.Backend.Id), ActorRefs.NoSender);
            }
        }

        public BackendCandidate? GetResult(short token) => _answer.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _answer.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _answer.OnCompleted(continuation, state, token, flags);
    }
}
