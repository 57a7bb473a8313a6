using System.Diagnostics;

namespace Defuss.Actors.Routing;

/// <summary>
/// Routes with a user's delegate. An answer that does not come within <paramref name="timeout"/> (on the actor system's
/// scheduler) counts as a strategy failure, and the connection goes round robin.
/// </summary>
/// <remarks>The router handles one connection at a time, so a slow delegate delays the connections behind it.</remarks>
internal sealed class DelegateRouter(Func<RoutingContext, ValueTask<BackendCandidate?>> strategy, TimeSpan timeout) : RouterActorBase
{
    protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates) =>
        throw new UnreachableException();

    private protected override ValueTask<BackendCandidate?> ChooseAsync(
        ParsedRequest request, IReadOnlyList<BackendCandidate> candidates, long connectionNumber)
    {
        // Armed before the delegate runs, so that a delegate that has been called always has its deadline.
        var expired = new TaskCompletionSource<BackendCandidate?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var deadline = Context.System.Scheduler.Advanced.ScheduleOnceCancelable(
            timeout, () => expired.TrySetException(new TimeoutException()));
        ValueTask<BackendCandidate?> answer;
        try
        {
            answer = strategy(new RoutingContext(request, candidates, connectionNumber));
        }
        catch
        {
            deadline.Cancel();
            throw;
        }

        if (answer.IsCompleted)
        {
            deadline.Cancel();
            return answer;
        }

        return new(FirstOfAsync(answer.AsTask(), expired.Task, deadline));
    }

    private static async Task<BackendCandidate?> FirstOfAsync(Task<BackendCandidate?> answer, Task<BackendCandidate?> expired, ICancelable deadline)
    {
        var first = await Task.WhenAny(answer, expired).ConfigureAwait(false);
        deadline.Cancel();
        return await first.ConfigureAwait(false);
    }
}
