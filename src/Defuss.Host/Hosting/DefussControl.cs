using Defuss.Actors;
using Defuss.Actors.Workers;

namespace Defuss.Hosting;

/// <summary>The primary's <see cref="IDefussControl"/>: the primary attaches its supervisor when it starts.</summary>
internal sealed class DefussControl : IDefussControl, IObservable<WorkerEvent>
{
    private readonly Lock _gate = new();
    private readonly List<IObserver<WorkerEvent>> _observers = [];
    private IActorRef? _supervisor;
    private TimeSpan _drainTimeout = TimeSpan.FromSeconds(10);

    public bool IsPrimary { get; } = !Worker.Runtime.WorkerSettings.IsWorkerProcess();

    public IObservable<WorkerEvent> Events => this;

    public async Task<int> RollingRestartAsync(CancellationToken cancellationToken = default)
    {
        var supervisor = Volatile.Read(ref _supervisor)
            ?? throw new InvalidOperationException("A rolling restart needs the running Defuss primary (RunDefussAsync in the primary process).");
        var timeout = _drainTimeout + _drainTimeout + TimeSpan.FromMinutes(5);
        var completed = await supervisor.Ask<RollingRestartCompleted>(new RollingRestart(_drainTimeout), timeout, cancellationToken).ConfigureAwait(false);
        return completed.Replaced;
    }

    public IDisposable Subscribe(IObserver<WorkerEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_gate)
        {
            _observers.Add(observer);
        }

        return new Subscription(this, observer);
    }

    internal void Attach(IActorRef supervisor, TimeSpan drainTimeout)
    {
        _drainTimeout = drainTimeout;
        Volatile.Write(ref _supervisor, supervisor);
    }

    internal void Detach() => Volatile.Write(ref _supervisor, null);

    internal void Publish(WorkerEvent workerEvent)
    {
        IObserver<WorkerEvent>[] observers;
        lock (_gate)
        {
            observers = [.. _observers];
        }

        foreach (var observer in observers)
        {
            try
            {
                observer.OnNext(workerEvent);
            }
            catch (Exception exception)
            {
                observer.OnError(exception);
            }
        }
    }

    private sealed class Subscription(DefussControl owner, IObserver<WorkerEvent> observer) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._observers.Remove(observer);
            }
        }
    }
}
