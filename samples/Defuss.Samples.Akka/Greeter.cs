using System.Globalization;
using Akka.Actor;

namespace Defuss.Samples.Akka;

/// <summary>Asks the <see cref="Greeter"/> to greet <paramref name="Name"/>.</summary>
public sealed record Greet(string Name);

/// <summary>
/// The greeting, from the worker process whose greeter wrote it: its pid, its Defuss worker index, and how many
/// greetings that greeter has written so far (the actor's own state, one per worker).
/// </summary>
public sealed record Greeting(string Text, int Pid, int? Worker, long Count);

/// <summary>The app's own actor: one per worker process, answering <see cref="Greet"/> with a <see cref="Greeting"/>.</summary>
public sealed class Greeter : ReceiveActor
{
    private static readonly int? WorkerIndex =
        int.TryParse(Environment.GetEnvironmentVariable("DEFUSS_WORKER_INDEX"), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;

    private long _count;

    public Greeter() =>
        Receive<Greet>(greet => Sender.Tell(new Greeting($"Hello, {greet.Name}!", Environment.ProcessId, WorkerIndex, ++_count)));
}
