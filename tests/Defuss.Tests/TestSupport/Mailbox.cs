using Akka.Actor;

namespace Defuss.Tests.TestSupport;

/// <summary>Waits for an actor to get through what it was sent: the step before advancing a virtual clock.</summary>
internal static class Mailbox
{
    /// <summary>
    /// Completes once <paramref name="actor"/> has handled every message sent to it before the call, and finished any
    /// restart they caused: it answers <see cref="Identify"/> in mailbox order, and only once it runs again. Use it before
    /// advancing the clock past a timer that the actor arms after the last message the test can see.
    /// </summary>
    public static async Task HandledAsync(this IActorRef actor)
    {
        var identity = await actor.Ask<ActorIdentity>(new Identify(actor.Path), TestTimeouts.Default);
        if (identity.Subject is null)
        {
            throw new InvalidOperationException($"{actor.Path} is not running.");
        }
    }
}
