using Defuss.Actors;
using Defuss.Actors.Routing;

namespace Defuss.FrontDoor;

/// <summary>Chooses backends by asking the router actor, once per connection.</summary>
internal sealed class ActorBackendSelector(IActorRef router, TimeSpan routingTimeout) : IBackendSelector
{
    public async ValueTask<BackendCandidate?> ChooseAsync(ParsedRequest request, CancellationToken cancellationToken)
    {
        try
        {
            // The front door's continuation only starts the delivery (a non-blocking send, or an async connect), so it may
            // run on the router's thread: that saves a thread-pool hop on every connection.
            var answer = await router.AskInline<object>(new ChooseBackend(request), routingTimeout, cancellationToken).ConfigureAwait(false);
            return (answer as BackendLease)?.Backend;
        }
        catch (Exception exception) when (exception is AskTimeoutException or AskTargetTerminatedException)
        {
            return null;
        }
    }

    public void Release(BackendCandidate backend) => router.Tell(new ReleaseBackend(backend.Id), ActorRefs.Nobody);

    public void ReportConnectFailure(BackendCandidate backend, string reason) =>
        router.Tell(new BackendConnectFailed(backend.Id, reason), ActorRefs.Nobody);
}
