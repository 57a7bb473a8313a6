using Akka.Actor;

namespace Defuss.Tests.TestSupport;

/// <summary>Sends every message back to its sender: an actor that is not a router.</summary>
internal sealed class EchoActor : ReceiveActor
{
    public EchoActor() => ReceiveAny(message => Sender.Tell(message));
}
