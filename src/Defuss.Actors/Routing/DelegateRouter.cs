using System.Diagnostics;

namespace Defuss.Actors.Routing;

/// <summary>
/// Routes with a user's delegate. An answer that does not come within <paramref name="timeout"/> (on the system's
/// clock) counts as a strategy failure, and the connection goes round robin.
/// </summary>
/// <remarks>The router handles one connection at a time, so a slow delegate delays the connections behind it.</remarks>
internal sealed class DelegateRouter(Func<RoutingContext, ValueTask<BackendCandidate?>> strategy, TimeSpan timeout) : RouterActorBase
{
    protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates) =>
        throw new UnreachableException();

    private protected override ValueTask<BackendCandidate?> ChooseAsync(
        ParsedRequest request, IReadOnlyList<BackendCandidate> candidates, long connectionNumber)
    {
        var answer = strategy(new RoutingContext(request, candidates, connectionNumber));
        return answer.IsCompleted ? answer : new(answer.AsTask().WaitAsync(timeout, Context.System.TimeProvider));
    }
}
