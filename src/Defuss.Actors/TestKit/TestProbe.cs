using System.Threading.Channels;

namespace Defuss.Actors.TestKit;

/// <summary>
/// An actor that records what it receives, for tests to assert on. It is an <see cref="IActorRef"/>: pass it to the
/// actor under test as a parent, a peer or a sender. Every expectation waits for the event with a real-time deadline.
/// </summary>
public sealed class TestProbe : IActorRef, IHasLocalRef
{
    private readonly Channel<Envelope> _received = Channel.CreateUnbounded<Envelope>();
    private readonly TimeSpan _defaultTimeout;

    internal TestProbe(ActorSystem system, string? name, TimeSpan defaultTimeout)
    {
        _defaultTimeout = defaultTimeout;
        Ref = system.SystemActorOf(Props.Create(() => new ProbeActor(_received.Writer)), name);
    }

    /// <summary>The probe's actor.</summary>
    public IActorRef Ref { get; }

    public ActorPath Path => Ref.Path;

    /// <summary>The sender of the last message an expectation returned.</summary>
    public IActorRef LastSender { get; private set; } = ActorRefs.Nobody;

    LocalActorRef IHasLocalRef.LocalRef => (LocalActorRef)Ref;

    public void Tell(object message, IActorRef? sender = null) => Ref.Tell(message, sender);

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with this probe as the sender.</summary>
    public void Send(IActorRef target, object message) => target.Tell(message, Ref);

    /// <summary>Replies to <see cref="LastSender"/>.</summary>
    public void Reply(object message) => LastSender.Tell(message, Ref);

    /// <summary>Expects the next message to be a <typeparamref name="T"/> (matching <paramref name="predicate"/>) and returns it.</summary>
    public T ExpectMsg<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) =>
        ExpectMsgAsync(predicate, timeout).GetAwaiter().GetResult();

    /// <inheritdoc cref="ExpectMsg{T}"/>
    public async Task<T> ExpectMsgAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null)
    {
        var wait = timeout ?? _defaultTimeout;
        var envelope = await ReceiveOneAsync(wait)
            ?? throw new TestKitAssertionException($"{Path}: no message of type {typeof(T).Name} arrived within {wait}.");
        if (envelope.Message is not T typed)
        {
            throw new TestKitAssertionException(
                $"{Path}: expected a {typeof(T).Name} but got a {envelope.Message.GetType().Name}: {envelope.Message}");
        }

        if (predicate is not null && !predicate(typed))
        {
            throw new TestKitAssertionException($"{Path}: the {typeof(T).Name} that arrived does not match: {typed}");
        }

        return typed;
    }

    /// <summary>Expects no message for <paramref name="duration"/> of real time.</summary>
    public void ExpectNoMsg(TimeSpan duration) => ExpectNoMsgAsync(duration).GetAwaiter().GetResult();

    /// <inheritdoc cref="ExpectNoMsg"/>
    public async Task ExpectNoMsgAsync(TimeSpan duration)
    {
        if (await ReceiveOneAsync(duration) is { } envelope)
        {
            throw new TestKitAssertionException(
                $"{Path}: expected no message within {duration} but got a {envelope.Message.GetType().Name}: {envelope.Message}");
        }
    }

    /// <summary>Skips messages until a <typeparamref name="T"/> for which <paramref name="isTheOne"/> holds arrives, and returns it.</summary>
    public T FishForMessage<T>(Func<T, bool> isTheOne, TimeSpan? timeout = null) =>
        FishForMessageAsync(isTheOne, timeout).GetAwaiter().GetResult();

    /// <inheritdoc cref="FishForMessage{T}"/>
    public async Task<T> FishForMessageAsync<T>(Func<T, bool> isTheOne, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(isTheOne);
        var wait = timeout ?? _defaultTimeout;
        var deadline = DateTime.UtcNow + wait;
        var skipped = new List<string>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var envelope = left > TimeSpan.Zero ? await ReceiveOneAsync(left) : null;
            if (envelope is null)
            {
                throw new TestKitAssertionException(
                    $"{Path}: no matching {typeof(T).Name} within {wait}; skipped [{string.Join(", ", skipped)}].");
            }

            if (envelope.Message is T typed && isTheOne(typed))
            {
                return typed;
            }

            skipped.Add(envelope.Message.ToString() ?? envelope.Message.GetType().Name);
        }
    }

    /// <summary>Watches <paramref name="target"/>: this probe will receive one <see cref="Terminated"/> when it stops.</summary>
    public void Watch(IActorRef target)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Ref.Tell(new ProbeActor.WatchRequest(target, true, done));
        if (!done.Task.Wait(_defaultTimeout))
        {
            throw new TestKitAssertionException($"{Path}: could not watch {target.Path} within {_defaultTimeout}.");
        }
    }

    /// <summary>Stops watching <paramref name="target"/>.</summary>
    public void Unwatch(IActorRef target)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Ref.Tell(new ProbeActor.WatchRequest(target, false, done));
        if (!done.Task.Wait(_defaultTimeout))
        {
            throw new TestKitAssertionException($"{Path}: could not unwatch {target.Path} within {_defaultTimeout}.");
        }
    }

    /// <summary>Expects the <see cref="Terminated"/> of <paramref name="target"/>, which this probe watches.</summary>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null) =>
        ExpectMsg<Terminated>(t => t.ActorRef.Path.Equals(target.Path), timeout);

    public override string ToString() => "[" + Path + "]";

    private async Task<Envelope?> ReceiveOneAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var envelope = await _received.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
            LastSender = envelope.Sender;
            return envelope;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return null;
        }
    }

    private sealed record Envelope(object Message, IActorRef Sender);

    private sealed class ProbeActor : ReceiveActor
    {
        public ProbeActor(ChannelWriter<Envelope> received)
        {
            Receive<WatchRequest>(request =>
            {
                if (request.Watch)
                {
                    Context.Watch(request.Target);
                }
                else
                {
                    Context.Unwatch(request.Target);
                }

                request.Done.TrySetResult();
            });
            ReceiveAny(message => received.TryWrite(new Envelope(message, Sender)));
        }

        internal sealed record WatchRequest(IActorRef Target, bool Watch, TaskCompletionSource Done);
    }
}
