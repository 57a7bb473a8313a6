using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Defuss.Actors;

/// <summary>
/// The runtime of one actor: its mailbox, its loop, its current instance, its children and its watchers.
/// Everything but posting and watching runs on the actor's own loop, one message at a time.
/// </summary>
internal sealed partial class ActorCell : IActorContext, IWatcher
{
    /// <summary>Written after each system message, so that a loop waiting on user messages wakes up.</summary>
    private static readonly object SystemWake = new();

    private static readonly AsyncLocal<ActorCell?> Current = new();

    [ThreadStatic]
    private static ActorCell? t_constructing;

    private readonly Channel<Envelope> _mailbox = Channel.CreateUnbounded<Envelope>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private readonly ConcurrentQueue<SystemMessage> _systemMessages = new();

    /// <summary>User messages taken from the mailbox while the actor was suspended; they go first on resume.</summary>
    private readonly Queue<Envelope> _stash = new();

    private readonly Props _props;
    private readonly ActorCell? _parent;
    private readonly bool _isGuardian;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorBase? _actor;
    private TimerScheduler? _timers;
    private IActorRef _sender = ActorRefs.Nobody;
    private object? _failedMessage;
    private bool _suspended;
    private bool _stopped;

    internal ActorCell(ActorSystem system, Props props, ActorCell? parent, ActorPath path, bool isGuardian = false)
    {
        System = system;
        _props = props;
        _parent = parent;
        _isGuardian = isGuardian;
        Path = path;
        Self = new LocalActorRef(this);
    }

    /// <summary>The cell whose actor is being constructed on this thread (so that <see cref="ActorBase"/> can find it).</summary>
    internal static ActorCell? Constructing => t_constructing;

    /// <summary>The actor whose loop is running this code, if any: the implicit sender of <c>Tell</c>.</summary>
    internal static IActorRef? CurrentSelf => Current.Value?.Self;

    public ActorSystem System { get; }

    public IActorRef Self { get; }

    public IActorRef Sender => _sender;

    public IActorRef Parent => _parent?.Self ?? ActorRefs.Nobody;

    internal ActorPath Path { get; }

    /// <summary>Completes when the actor has stopped and its <c>PostStop</c> has run.</summary>
    internal Task Terminated => _terminated.Task;

    internal bool IsStopped => Volatile.Read(ref _stopped);

    internal void Start() => _ = Task.Run(RunAsync);

    internal void Post(object message, IActorRef sender)
    {
        if (!_mailbox.Writer.TryWrite(new Envelope(message, sender)))
        {
            System.DeadLetter(message, sender, Self);
        }
    }

    internal void PostSystem(SystemMessage message)
    {
        _systemMessages.Enqueue(message);
        _mailbox.Writer.TryWrite(new Envelope(SystemWake, ActorRefs.Nobody));
    }

    private async Task RunAsync()
    {
        Current.Value = this;
        CreateInstance(restartCause: null);
        var reader = _mailbox.Reader;
        while (!ProcessSystemMessages())
        {
            if (!_suspended && _stash.TryDequeue(out var stashed))
            {
                await InvokeAsync(stashed);
                continue;
            }

            if (!reader.TryRead(out var envelope))
            {
                if (_systemMessages.IsEmpty && !await reader.WaitToReadAsync())
                {
                    return;
                }

                continue;
            }

            if (ReferenceEquals(envelope.Message, SystemWake))
            {
                continue;
            }

            if (_suspended)
            {
                _stash.Enqueue(envelope);
                continue;
            }

            await InvokeAsync(envelope);
        }
    }

    /// <summary>Handles every pending system message; returns <c>true</c> once the actor has stopped.</summary>
    private bool ProcessSystemMessages()
    {
        while (!_stopped && _systemMessages.TryDequeue(out var message))
        {
            switch (message)
            {
                case Terminate:
                    BeginTerminate();
                    break;
                case Failed failed:
                    HandleChildFailure(failed.Child, failed.Cause);
                    break;
                case Resume:
                    _failedMessage = null;
                    _suspended = _pendingRestart is not null || _terminating;
                    ReleaseEscalated(restartCause: null);
                    break;
                case Restart restart:
                    BeginRestart(restart.Cause);
                    break;
                case ChildTerminated childTerminated:
                    HandleChildTerminated(childTerminated.Child);
                    break;
                case DeathWatchNotification notification:
                    HandleDeathWatchNotification(notification.Subject);
                    break;
            }
        }

        return _stopped;
    }

    private async ValueTask InvokeAsync(Envelope envelope)
    {
        var message = envelope.Message;
        _sender = envelope.Sender;
        try
        {
            switch (message)
            {
                case TimerEnvelope timer:
                    if (_timers is null || !_timers.TryAccept(timer, out message))
                    {
                        return;
                    }

                    break;
                case PoisonPill:
                    BeginTerminate();
                    return;
                case Terminated terminated when !_terminatedQueued.Remove(terminated.ActorRef):
                    return;
            }

            if (!_actor!.Dispatch(message, out var pending))
            {
                _actor.InvokeUnhandled(message);
            }
            else if (pending is not null)
            {
                await pending;
            }
        }
        catch (Exception exception)
        {
            Fail(exception, message);
        }
        finally
        {
            _sender = ActorRefs.Nobody;
        }
    }

    /// <summary>Builds a new instance from the props and runs <c>PreStart</c> (or <c>PostRestart</c>); a failure goes to the parent.</summary>
    private void CreateInstance(Exception? restartCause)
    {
        try
        {
            t_constructing = this;
            ActorBase actor;
            try
            {
                actor = _props.NewActor();
            }
            finally
            {
                t_constructing = null;
            }

            _actor = actor;
            if (actor is IWithTimers withTimers)
            {
                withTimers.Timers = _timers ??= new TimerScheduler(this);
            }

            if (restartCause is null)
            {
                actor.InvokePreStart();
            }
            else
            {
                actor.InvokePostRestart(restartCause);
            }
        }
        catch (Exception exception)
        {
            Fail(new ActorInitializationException(Path, exception), null);
        }
    }

    /// <summary>Suspends the actor and asks its parent what to do.</summary>
    private void Fail(Exception exception, object? message)
    {
        _suspended = true;
        _failedMessage = message;
        if (_parent is null)
        {
            KernelLog.GuardianFailed(System.Log, Path, exception);
            BeginTerminate();
            return;
        }

        _parent.PostSystem(new Failed(this, exception));
    }

    public override string ToString() => Path.ToString();
}
