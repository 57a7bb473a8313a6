namespace Defuss.Tests.TestSupport;

/// <summary>Answered with <see cref="Pong"/> by the test actors; a round trip proves every earlier message was handled.</summary>
internal sealed record Ping
{
    private Ping()
    {
    }

    public static Ping Instance { get; } = new();
}

/// <summary>The answer to <see cref="Ping"/>.</summary>
internal sealed record Pong
{
    private Pong()
    {
    }

    public static Pong Instance { get; } = new();
}

/// <summary>Makes a <see cref="LifecycleActor"/> throw a <see cref="TestFailureException"/> with <paramref name="Reason"/>.</summary>
internal sealed record Boom(string Reason);

/// <summary>Adds to the running total of a <see cref="LifecycleActor"/>.</summary>
internal sealed record Add(int Amount);

/// <summary>Asks a <see cref="LifecycleActor"/> for its <see cref="Total"/>.</summary>
internal sealed record GetTotal
{
    private GetTotal()
    {
    }

    public static GetTotal Instance { get; } = new();
}

/// <summary>The running total of one incarnation of a <see cref="LifecycleActor"/>.</summary>
internal sealed record Total(int Value, int Incarnation);

/// <summary>
/// Makes the receiver wait (in a <c>ReceiveAsync</c>) until <paramref name="Gate"/> completes, telling the sender
/// <see cref="GateEntered"/> first; it then throws with <paramref name="FailWith"/> if set, or tells <see cref="GateLeft"/>.
/// </summary>
internal sealed record AwaitGate(Task Gate, string? FailWith = null);

/// <summary>The receiver of an <see cref="AwaitGate"/> is waiting at the gate.</summary>
internal sealed record GateEntered
{
    private GateEntered()
    {
    }

    public static GateEntered Instance { get; } = new();
}

/// <summary>The receiver of an <see cref="AwaitGate"/> has passed the gate.</summary>
internal sealed record GateLeft
{
    private GateLeft()
    {
    }

    public static GateLeft Instance { get; } = new();
}

/// <summary>Asks a <see cref="SupervisorActor"/> for its child.</summary>
internal sealed record GetChild
{
    private GetChild()
    {
    }

    public static GetChild Instance { get; } = new();
}

/// <summary>The failure the test actors throw on purpose.</summary>
internal sealed class TestFailureException(string message) : Exception(message);
