using Microsoft.Extensions.Logging;

namespace Defuss.Actors;

/// <summary>
/// A hierarchy of actors under <c>/user</c> (the application's) and <c>/system</c> (the kernel's own, such as test probes).
/// </summary>
public sealed class ActorSystem : IAsyncDisposable
{
    private readonly ActorCell _userGuardian;
    private readonly ActorCell _systemGuardian;
    private readonly TaskCompletionSource _whenTerminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _deadLetters;
    private long _unhandled;
    private int _terminateStarted;

    private ActorSystem(string name, ActorSystemSettings settings)
    {
        Name = name;
        TimeProvider = settings.TimeProvider;
        LoggerFactory = settings.LoggerFactory;
        Log = LoggerFactory.CreateLogger("Defuss.Actors");
        DeadLetters = new DeadLetterRef(this);
        _userGuardian = new ActorCell(this, Props.Create<GuardianActor>(), null, ActorPath.Root.Child("user"), isGuardian: true);
        _systemGuardian = new ActorCell(this, Props.Create<GuardianActor>(), null, ActorPath.Root.Child("system"), isGuardian: true);
        _userGuardian.Start();
        _systemGuardian.Start();
    }

    /// <summary>The system's name, used in logs.</summary>
    public string Name { get; }

    /// <summary>The clock of every timer and ask in this system.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The logger factory actors may use.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Where messages to stopped actors end up (logged at debug level and counted).</summary>
    public IActorRef DeadLetters { get; }

    /// <summary>How many messages went to dead letters.</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetters);

    /// <summary>How many messages no handler accepted.</summary>
    public long UnhandledMessageCount => Interlocked.Read(ref _unhandled);

    /// <summary>Completes when <see cref="Terminate"/> has stopped every actor.</summary>
    public Task WhenTerminated => _whenTerminated.Task;

    internal ILogger Log { get; }

    /// <summary>Creates a system; <paramref name="name"/> is made of letters, digits, '-' and '_'.</summary>
    public static ActorSystem Create(string name, ActorSystemSettings? settings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"Actor system name '{name}' may contain only letters, digits, '-' and '_'.", nameof(name));
        }

        return new ActorSystem(name, settings ?? new ActorSystemSettings());
    }

    /// <summary>Starts a top-level actor under <c>/user</c>.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => GuardianFor(_userGuardian).ActorOf(props, name);

    /// <summary>Stops <paramref name="actor"/> (after the message it is handling) and, before it, its children.</summary>
    public void Stop(IActorRef actor) => ActorCell.Resolve(actor)?.PostSystem(global::Defuss.Actors.Terminate.Instance);

    /// <summary>Stops every actor, children before parents; completes when every <c>PostStop</c> has run.</summary>
    public Task Terminate()
    {
        if (Interlocked.Exchange(ref _terminateStarted, 1) == 0)
        {
            _ = TerminateAsync();
        }

        return WhenTerminated;
    }

    public async ValueTask DisposeAsync() => await Terminate();

    public override string ToString() => "ActorSystem(" + Name + ")";

    internal IActorRef SystemActorOf(Props props, string? name = null) => GuardianFor(_systemGuardian).ActorOf(props, name);

    internal void DeadLetter(object message, IActorRef sender, IActorRef recipient)
    {
        Interlocked.Increment(ref _deadLetters);
        KernelLog.DeadLetter(Log, message.GetType().Name, sender.Path, recipient.Path);
    }

    internal void PublishUnhandled(object message, IActorRef sender, IActorRef recipient)
    {
        Interlocked.Increment(ref _unhandled);
        KernelLog.Unhandled(Log, message.GetType().Name, sender.Path, recipient.Path);
    }

    private ActorCell GuardianFor(ActorCell guardian) =>
        Volatile.Read(ref _terminateStarted) == 0
            ? guardian
            : throw new InvalidOperationException($"The actor system '{Name}' has been terminated.");

    private async Task TerminateAsync()
    {
        _userGuardian.PostSystem(global::Defuss.Actors.Terminate.Instance);
        await _userGuardian.Terminated.ConfigureAwait(false);
        _systemGuardian.PostSystem(global::Defuss.Actors.Terminate.Instance);
        await _systemGuardian.Terminated.ConfigureAwait(false);
        _whenTerminated.TrySetResult();
    }

    private sealed class GuardianActor : ActorBase
    {
        internal override bool Dispatch(object message, out Task? pending)
        {
            pending = null;
            return false;
        }
    }

    private sealed class DeadLetterRef(ActorSystem system) : IActorRef
    {
        public ActorPath Path { get; } = ActorPath.Root.Child("deadLetters");

        public void Tell(object message, IActorRef? sender = null) =>
            system.DeadLetter(message, sender ?? ActorRefs.Nobody, this);

        public override string ToString() => "[/deadLetters]";
    }
}
