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
        var reply = new RoutingReply(_provider, _replyPath);
        _router.Tell(new ChooseBackend(request), reply);
        try
        {
            var answer = await reply.Answer.WaitAsync(_routingTimeout, cancellationToken).ConfigureAwait(false);
            return (answer as BackendLease)?.Backend;
        }
        catch (TimeoutException)
        {
            // The router is gone or restarting; the client gets what it gets with no worker.
            return null;
        }
    }

    public void Release(BackendCandidate backend) => _router.Tell(new ReleaseBackend(backend.Id), ActorRefs.NoSender);

    public void ReportConnectFailure(BackendCandidate backend, string reason) =>
        _router.Tell(new BackendConnectFailed(backend.Id, reason), ActorRefs.NoSender);

    /// <summary>The sender of one routing question: the first message told to it is the answer, completed inline.</summary>
    private sealed class RoutingReply(IActorRefProvider provider, ActorPath path) : MinimalActorRef
    {
        private readonly TaskCompletionSource<object> _answer = new();

        public Task<object> Answer => _answer.Task;

        public override ActorPath Path => path;

        public override IActorRefProvider Provider => provider;

        protected override void TellInternal(object message, IActorRef sender) => _answer.TrySetResult(message);
    }
}
