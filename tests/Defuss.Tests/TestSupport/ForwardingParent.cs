using Akka.Actor;

namespace Defuss.Tests.TestSupport;

/// <summary>A parent for the actor under test: forwards what the child sends it to a probe, and anything else to the child.</summary>
internal sealed class ForwardingParent : ReceiveActor
{
    private readonly IActorRef _child;

    public ForwardingParent(Props child, IActorRef probe)
    {
        _child = Context.ActorOf(child, "child");
        Receive<GetChild>(_ => Sender.Tell(_child));
        ReceiveAny(message =>
        {
            if (Sender.Equals(_child))
            {
                probe.Tell(message, Sender);
            }
            else
            {
                _child.Tell(message, Sender);
            }
        });
    }

    /// <summary>Replies with the child's ref.</summary>
    public sealed record GetChild
    {
        public static GetChild Instance { get; } = new();
    }
}
