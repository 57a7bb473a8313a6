using Defuss.Actors;

namespace Defuss.Bench.Kernel;

/// <summary>The payload of every benchmark message: one shared instance, so that the numbers show the kernel's allocations only.</summary>
internal sealed class Ping
{
    private Ping()
    {
    }

    public static Ping Instance { get; } = new();
}

/// <summary>The reply of <see cref="EchoActor"/>.</summary>
internal sealed class Pong
{
    private Pong()
    {
    }

    public static Pong Instance { get; } = new();
}

/// <summary>Tells the <see cref="BurstSender"/> to send <paramref name="Count"/> pings to its receiver.</summary>
internal sealed record SendBurst(int Count, TaskCompletionSource Done);

/// <summary>Tells the <see cref="CountingReceiver"/> how many pings to wait for.</summary>
internal sealed record Expect(int Count, TaskCompletionSource Done);

/// <summary>Tells the <see cref="RallyServer"/> to play <paramref name="RoundTrips"/> ping-pong round trips with its partner.</summary>
internal sealed record Rally(int RoundTrips, TaskCompletionSource Done);

/// <summary>Sends a burst of pings as fast as its loop can post them.</summary>
internal sealed class BurstSender : ReceiveActor
{
    public BurstSender(IActorRef receiver)
    {
        Receive<SendBurst>(burst =>
        {
            // Same sender, same mailbox: the Expect is handled before the first ping.
            receiver.Tell(new Expect(burst.Count, burst.Done));
            for (var i = 0; i < burst.Count; i++)
            {
                receiver.Tell(Ping.Instance);
            }
        });
    }
}

/// <summary>Counts pings and completes the pending <see cref="Expect"/> when it has seen them all.</summary>
internal sealed class CountingReceiver : ReceiveActor
{
    private int _remaining;
    private TaskCompletionSource? _done;

    public CountingReceiver()
    {
        Receive<Expect>(expect =>
        {
            _remaining = expect.Count;
            _done = expect.Done;
        });
        Receive<Ping>(_ =>
        {
            if (--_remaining == 0)
            {
                _done!.TrySetResult();
            }
        });
    }
}

/// <summary>Serves a <see cref="Rally"/>: sends a ping to its partner and another for every pong, until the rally is over.</summary>
internal sealed class RallyServer : ReceiveActor
{
    private int _remaining;
    private TaskCompletionSource? _done;

    public RallyServer(IActorRef partner)
    {
        Receive<Rally>(rally =>
        {
            _remaining = rally.RoundTrips;
            _done = rally.Done;
            partner.Tell(Ping.Instance);
        });
        Receive<Pong>(_ =>
        {
            if (--_remaining == 0)
            {
                _done!.TrySetResult();
                return;
            }

            partner.Tell(Ping.Instance);
        });
    }
}

/// <summary>Answers every <see cref="Ping"/> with a <see cref="Pong"/> at once.</summary>
internal sealed class EchoActor : ReceiveActor
{
    public EchoActor()
    {
        Receive<Ping>(_ => Sender.Tell(Pong.Instance));
    }
}
