using Microsoft.Extensions.Logging;

namespace Defuss.Actors;

/// <summary>The kernel's log messages; event ids are listed in <see cref="ActorsEventIds"/>.</summary>
internal static partial class KernelLog
{
    [LoggerMessage(EventId = ActorsEventIds.ChildFailed, Level = LogLevel.Error, Message = "Actor {Path} failed; its supervisor decided {Directive}")]
    public static partial void ChildFailed(ILogger logger, ActorPath path, Directive directive, Exception exception);

    [LoggerMessage(EventId = ActorsEventIds.DeciderFailed, Level = LogLevel.Error, Message = "The supervisor strategy of {Path} threw; the failure escalates")]
    public static partial void DeciderFailed(ILogger logger, ActorPath path, Exception exception);

    [LoggerMessage(EventId = ActorsEventIds.HookFailed, Level = LogLevel.Error, Message = "{Hook} of actor {Path} threw")]
    public static partial void HookFailed(ILogger logger, ActorPath path, string hook, Exception exception);

    [LoggerMessage(EventId = ActorsEventIds.GuardianFailed, Level = LogLevel.Critical, Message = "Guardian {Path} failed and stops")]
    public static partial void GuardianFailed(ILogger logger, ActorPath path, Exception exception);

    [LoggerMessage(EventId = ActorsEventIds.DeadLetter, Level = LogLevel.Debug, Message = "Dead letter: {MessageType} from {Sender} to {Recipient}, which has stopped")]
    public static partial void DeadLetter(ILogger logger, string messageType, ActorPath sender, ActorPath recipient);

    [LoggerMessage(EventId = ActorsEventIds.Unhandled, Level = LogLevel.Debug, Message = "Unhandled: {MessageType} from {Sender} to {Recipient}")]
    public static partial void Unhandled(ILogger logger, string messageType, ActorPath sender, ActorPath recipient);
}
