using Akka.Actor;

namespace Defuss.Hosting;

/// <summary>Asks that end as soon as their target is gone, instead of waiting out their timeout.</summary>
internal static class ActorAsks
{
    /// <summary>
    /// Asks <paramref name="target"/> and returns its answer, or <c>null</c> once it has terminated without answering
    /// (an actor that is gone never answers: shutdown must not wait the whole <paramref name="timeout"/> for it).
    /// </summary>
    /// <exception cref="AskTimeoutException">It is alive, and did not answer within <paramref name="timeout"/>.</exception>
    public static async Task<T?> AskUnlessGoneAsync<T>(this IActorRef target, object message, TimeSpan timeout)
        where T : class
    {
        using var stopWatching = new CancellationTokenSource();
        var gone = target.WatchAsync(stopWatching.Token);
        var answer = target.Ask<T>(message, timeout);
        try
        {
            if (await Task.WhenAny(answer, gone).ConfigureAwait(false) == answer || !await gone.ConfigureAwait(false))
            {
                return await answer.ConfigureAwait(false);
            }

            // Its answer may have been sent just before it stopped.
            return answer.IsCompletedSuccessfully ? await answer.ConfigureAwait(false) : null;
        }
        finally
        {
            await stopWatching.CancelAsync().ConfigureAwait(false);
        }
    }
}
