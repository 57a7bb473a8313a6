using Akka.Actor;
using Defuss.Actors.Routing;

namespace Defuss.FrontDoor;

/// <summary>Chooses backends by asking the router actor, once per connection.</summary>
/// <remarks>
/// The ask is leaner than Akka's <c>Ask</c>: its reply target is a <see cref="RoutingReply"/>, which the router's answer
/// completes inline, so the front door's continuation (a non-blocking send, or an async connect) runs on the router's
/// thread instead of hopping through the thread pool, and no temporary actor is registered or unregistered.
/// </remarks>
internal sealed class ActorBackendSelector : IBackendSelector
{
    private readonly IActorRef _router;
    private readonly TimeSpan _routingTimeout;
    private readonly IActorRefProvider _provider;
    private readonly ActorPath _replyPath;

    public ActorBackendSelector(IActorRef router, TimeSpan routingTimeout)
    {
        _router = router;
        _routingTimeout = routingTimeout;
        _provider = ((IInternalActorRef)router).Provider;
        _replyPath = _provider.TempPath();
    }

    public async ValueTask<BackendCandidate?> ChooseAsync(ParsedRequest request, CancellationToken cancellationToken)
    {
        var reply = new RoutingReply(_router, _provider, _replyPath);
        _router.Tell(new ChooseBackend(request), reply);
        object answer;
        try
        {
            answer = await reply.Answer.WaitAsync(_routingTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            // The router is gone or slow, or the connection was aborted. If its answer arrives after all, the lease it
            // carries is released then (it ends exactly once); if it arrived just now, it is taken as it is.
            if (!reply.Abandon())
            {
                answer = await reply.Answer.ConfigureAwait(false);
                return (answer as BackendLease)?.Backend;
            }

            if (exception is OperationCanceledException)
            {
                throw;
            }

            return null;
        }

        return (answer as BackendLease)?.Backend;
    }

    public void Release(BackendCandidate backend) => _router.Tell(new ReleaseBackend(backend.Id), ActorRefs.NoSender);

    public void ReportConnectFailure(BackendCandidate backend, string reason) =>
        _router.Tell(new BackendConnectFailed(backend.Id, reason), ActorRefs.NoSender);

    /// <summary>
    /// The sender of one routing question: the first message told to it is the answer, completed inline. An answer that
    /// comes after the asker gave up (<see cref="Abandon"/>) is a lease nobody will use: it is released at once.
    /// </summary>
    private sealed class RoutingReply(IActorRef router, IActorRefProvider provider, ActorPath path) : MinimalActorRef
    {
        private const int Waiting = 0;
        private const int Answered = 1;
        private const int Abandoned = 2;

        private readonly TaskCompletionSource<object> _answer = new();
        private int _state;

        public Task<object> Answer => _answer.Task;

        public override ActorPath Path => path;

        public override IActorRefProvider Provider => provider;

        /// <summary>The asker stops waiting; false when the answer has already come (the asker then takes it).</summary>
        public bool Abandon() => Interlocked.CompareExchange(ref _state, Abandoned, Waiting) == Waiting;

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (Interlocked.CompareExchange(ref _state, Answered, Waiting) == Waiting)
            {
                _answer.TrySetResult(message);
            }
            else if (message is BackendLease late)
            {
                router.Tell(new ReleaseBackend(late.Backend.Id), ActorRefs.NoSender);
            }
        }
    }
}
