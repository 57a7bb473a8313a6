namespace Defuss.Tests.TestSupport;

using Defuss.Actors;

/// <summary>Answers <see cref="Ping"/> with <see cref="Pong"/> and sends every other message back to its sender.</summary>
internal sealed class EchoActor : ReceiveActor
{
    public EchoActor()
    {
        Receive<Ping>(_ => Sender.Tell(Pong.Instance));
        ReceiveAny(message => Sender.Tell(message));
    }
}
