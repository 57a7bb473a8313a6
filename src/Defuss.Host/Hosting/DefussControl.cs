using System.Net;
using System.Reflection;
using System.Threading.Channels;
using Akka.Actor;
using Defuss.Actors.Workers;
using Defuss.Admin;

namespace Defuss.Hosting;

/// <summary>The primary's <see cref="IDefussControl"/>: the primary attaches its supervisor when it starts.</summary>
/// <remarks>
/// Each observer has a queue of its own, of at most <see cref="ObserverBuffer"/> events, and its own task that calls it:
/// the event actor only enqueues, so a slow observer never holds up an actor. An observer that falls that far behind
/// loses its oldest events (each one lost is counted in <see cref="DroppedEvents"/>).
/// </remarks>
internal sealed class DefussControl : IDefussControl, IObservable<WorkerEvent>
{
    /// <summary>How many events an observer may fall behind before its oldest are dropped.</summary>
    public const int ObserverBuffer = 1024;

    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscriptions = [];
    private IActorRef? _supervisor;
    private TimeSpan _drainTimeout = TimeSpan.FromSeconds(10);
    private long _dropped;
    private readonly TaskCompletionSource<IReadOnlyList<IPEndPoint>> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Func<bool, Task>? _stop;
    private Func<string, Task<Upgrade.UpgradeResult>>? _upgrade;
    private IReadOnlyList<IPEndPoint> _endpoints = [];

    public bool IsPrimary { get; } = !Worker.Runtime.WorkerSettings.IsWorkerProcess();

    public IObservable<WorkerEvent> Events => this;

    /// <summary>What the primary knows of itself and its workers; the events actor keeps it.</summary>
    internal StatusBoard Board { get; } = new();

    /// <summary>The workers' last lines, for <c>/logs</c>; the launcher adds to it.</summary>
    internal Processes.WorkerLogBook Logs { get; } = new();

    /// <summary>The app's version, as <c>/status</c> shows it: its entry assembly's informational version.</summary>
    internal static string Version { get; } = VersionOf(Assembly.GetEntryAssembly());

    public IReadOnlyList<IPEndPoint> Endpoints => Volatile.Read(ref _endpoints);

    public DefussStatus GetStatus()
    {
        EnsurePrimary();
        return Board.Snapshot(Environment.ProcessId, Version);
    }

    public Task<IReadOnlyList<IPEndPoint>> WhenListeningAsync(CancellationToken cancellationToken = default)
    {
        EnsurePrimary();
        return _listening.Task.WaitAsync(cancellationToken);
    }

    public Task StopAsync(bool graceful = true, CancellationToken cancellationToken = default)
    {
        var stop = Volatile.Read(ref _stop)
            ?? throw new InvalidOperationException("Stopping needs the running Defuss primary (RunDefussAsync in the primary process).");
        return stop(graceful).WaitAsync(cancellationToken);
    }

    /// <summary>How many events observers lost because they fell more than <see cref="ObserverBuffer"/> events behind.</summary>
    public long DroppedEvents => Interlocked.Read(ref _dropped);

    public async Task<int> RollingRestartAsync(CancellationToken cancellationToken = default)
    {
        var supervisor = RunningSupervisor("A rolling restart");
        var completed = await supervisor.Ask<RollingRestartCompleted>(new RollingRestart(_drainTimeout), PoolChangeTimeout, cancellationToken).ConfigureAwait(false);
        return completed.Replaced;
    }

    public async Task<int> ScaleAsync(int workers, CancellationToken cancellationToken = default)
    {
        var supervisor = RunningSupervisor("Scaling");
        return await supervisor.Ask<object>(new ScalePool(workers), PoolChangeTimeout, cancellationToken).ConfigureAwait(false) switch
        {
            PoolResized resized => resized.Workers,
            ScaleRefused { OutOfBounds: true } refused => throw new ArgumentOutOfRangeException(nameof(workers), workers, refused.Reason),
            ScaleRefused refused => throw new InvalidOperationException("The pool cannot be resized: " + refused.Reason),
            var other => throw new InvalidOperationException($"Unexpected answer to a resize: {other}"),
        };
    }

    /// <summary>How long a rolling restart or a resize may take: new workers start (StartupTimeout) and old ones drain.</summary>
    private TimeSpan PoolChangeTimeout => _drainTimeout + _drainTimeout + TimeSpan.FromMinutes(5);

    private IActorRef RunningSupervisor(string what) => Volatile.Read(ref _supervisor)
        ?? throw new InvalidOperationException($"{what} needs the running Defuss primary (RunDefussAsync in the primary process).");

    /// <summary>Grows or shrinks the pool by <paramref name="delta"/> within its bounds, without waiting (SIGTTIN, SIGTTOU).</summary>
    internal void ScaleBy(int delta) => Volatile.Read(ref _supervisor)?.Tell(new ScalePoolBy(delta), ActorRefs.NoSender);

    public IDisposable Subscribe(IObserver<WorkerEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscription = new Subscription(this, observer);
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    internal void Attach(IActorRef supervisor, TimeSpan drainTimeout)
    {
        _drainTimeout = drainTimeout;
        Volatile.Write(ref _supervisor, supervisor);
    }

    internal void Detach() => Volatile.Write(ref _supervisor, null);

    /// <summary>The primary's stop, for <see cref="StopAsync"/>: it completes once the drain has finished.</summary>
    internal void AttachStop(Func<bool, Task> stop) => Volatile.Write(ref _stop, stop);

    /// <summary>The primary's hand-over to a new primary, for <c>POST /upgrade</c>; its argument names who asked.</summary>
    internal void AttachUpgrade(Func<string, Task<Upgrade.UpgradeResult>> upgrade) => Volatile.Write(ref _upgrade, upgrade);

    /// <summary>
    /// Hands the primary over to a new one (as SIGUSR2 does) and completes once the new one accepts, or the hand-over failed
    /// or was refused (<see cref="Upgrade.UpgradeResult.Failure"/> says why).
    /// </summary>
    internal Task<Upgrade.UpgradeResult> UpgradeAsync(string trigger) => (Volatile.Read(ref _upgrade)
        ?? throw new InvalidOperationException("A hand-over needs the running Defuss primary (RunDefussAsync in the primary process)."))(trigger);

    /// <summary>The front door listens on <paramref name="endpoints"/>.</summary>
    internal void Listening(IReadOnlyList<IPEndPoint> endpoints)
    {
        Board.SetEndpoints([.. endpoints.Select(endpoint => Admin.AdminUrl.Format(endpoint))]);
        Volatile.Write(ref _endpoints, endpoints);
        _listening.TrySetResult(endpoints);
    }

    /// <summary>The primary stopped (or never started): whoever waits for it to listen hears why.</summary>
    internal void NeverListening(string reason) => _listening.TrySetException(new InvalidOperationException(reason));

    private void EnsurePrimary()
    {
        if (!IsPrimary)
        {
            throw new InvalidOperationException("This is a worker process: the status and the endpoints are the primary's (check IDefussControl.IsPrimary).");
        }
    }

    private static string VersionOf(Assembly? assembly) =>
        assembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion is { } version
            ? version.Split('+')[0]
            : assembly?.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>Queues <paramref name="workerEvent"/> for every observer; never waits for one.</summary>
    internal void Publish(WorkerEvent workerEvent)
    {
        lock (_gate)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Queue.Writer.TryWrite(workerEvent);
            }
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    private sealed class Subscription : IDisposable
    {
        private readonly DefussControl _owner;
        private readonly IObserver<WorkerEvent> _observer;

        public Subscription(DefussControl owner, IObserver<WorkerEvent> observer)
        {
            _owner = owner;
            _observer = observer;
            Queue = Channel.CreateBounded<WorkerEvent>(
                new BoundedChannelOptions(ObserverBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                _ => Interlocked.Increment(ref owner._dropped));
            _ = Task.Run(DeliverAsync);
        }

        public Channel<WorkerEvent> Queue { get; }

        public void Dispose()
        {
            _owner.Remove(this);
            Queue.Writer.TryComplete();
        }

        private async Task DeliverAsync()
        {
            await foreach (var workerEvent in Queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    _observer.OnNext(workerEvent);
                }
                catch (Exception exception)
                {
                    _observer.OnError(exception);
                }
            }
        }
    }
}
