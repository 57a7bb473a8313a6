using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Defuss.Actors.Routing;

/// <summary>
/// The base of every router: owns the routing table (one <see cref="BackendCandidate"/> per worker, with the connections
/// the front door has open to it) and answers each new connection's routing question by asking <see cref="Choose"/>.
/// </summary>
/// <remarks>
/// A strategy that throws or returns a candidate that is not in the list is logged, counted and reported as a
/// <see cref="RoutingStrategyFailed"/>, and that connection is routed round robin instead. The routing table, the
/// ejections and the settings survive a restart of the actor; a subclass's own fields start again.
/// </remarks>
public abstract class RouterActorBase : ReceiveActor
{
    /// <summary>How long an unreachable backend is left out of routing unless the host says otherwise.</summary>
    public static readonly TimeSpan DefaultEjectionPeriod = TimeSpan.FromSeconds(10);

    // Keyed by the actor's ref, which stays the same across restarts; removed when the actor stops for good.
    private static readonly ConditionalWeakTable<IActorRef, RouterState> States = new();

    private readonly RouterState _state;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;

    /// <summary>Registers the routing protocol; a subclass adds nothing to it but <see cref="Choose"/>.</summary>
    protected RouterActorBase()
    {
        _state = States.GetValue(Self, _ => new RouterState());
        _logger = ActorLogging.LoggerFactoryOf(Context.System).CreateLogger("Defuss.Actors.Routing");
        _clock = ActorTime.Of(Context.System);
        Receive<ChooseBackend>(OnChoose);
        Receive<ReleaseBackend>(Release);
        Receive<BackendUpdated>(updated => Upsert(updated.Backend));
        Receive<BackendRemoved>(removed => Remove(removed.Id));
        Receive<BackendConnectFailed>(Eject);
        Receive<RoutingSettings>(settings => (_state.EjectionPeriod, _state.Events) = (settings.EjectionPeriod, settings.Events));
        Receive<GetRouterStats>(_ => Sender.Tell(new RouterStats(_state.Leases, _state.StrategyFailures) { OpenLeases = _state.OpenLeases }));
    }

    /// <summary>
    /// Picks one of <paramref name="candidates"/> (ready and healthy, ordered by index, never empty) for the connection
    /// that sent <paramref name="request"/>; <c>null</c> means none can take it.
    /// </summary>
    protected abstract BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates);

    /// <summary>The strategy's answer, which may complete later; <paramref name="connectionNumber"/> counts connections from 1.</summary>
    private protected virtual ValueTask<BackendCandidate?> ChooseAsync(
        ParsedRequest request, IReadOnlyList<BackendCandidate> candidates, long connectionNumber) => new(Choose(request, candidates));

    /// <summary>
    /// A restart keeps the routing state (the next instance finds it by this actor's ref); children stop as usual.
    /// </summary>
    protected override void PreRestart(Exception reason, object message)
    {
        foreach (var child in Context.GetChildren())
        {
            Context.Stop(child);
        }
    }

    /// <summary>The router stops for good: its routing state goes with it.</summary>
    protected override void PostStop() => States.Remove(Self);

    private void OnChoose(ChooseBackend choose)
    {
        var sender = Sender;
        var candidates = Routable();
        var connectionNumber = ++_state.ConnectionNumber;
        if (candidates.Length == 0)
        {
            sender.Tell(NoBackend.Instance, Self);
            return;
        }

        ValueTask<BackendCandidate?> pending;
        try
        {
            pending = ChooseAsync(choose.Request, candidates, connectionNumber);
        }
        catch (Exception exception)
        {
            pending = ValueTask.FromException<BackendCandidate?>(exception);
        }

        if (pending.IsCompleted)
        {
            Reply(sender, candidates, pending);
            return;
        }

        // Only a strategy that really waits holds the mailbox, until it answers; a plain choice never gets here. The
        // continuation must stay on the actor's own scheduler (no ConfigureAwait(false)): Reply uses Self.
        RunTask(async () =>
        {
            try
            {
                await pending;
            }
            catch (Exception)
            {
                // Reply reads the failure from the completed task.
            }

            Reply(sender, candidates, pending);
        });
    }

    private void Reply(IActorRef sender, BackendCandidate[] candidates, ValueTask<BackendCandidate?> completed)
    {
        BackendCandidate? chosen;
        try
        {
            chosen = completed.Result;
            if (chosen is not null && Array.IndexOf(candidates, chosen) < 0)
            {
                chosen = Fallback(candidates, RoutingFailureKind.Invalid);
                RoutingLog.StrategyChoseUnknown(_logger, GetType().Name);
            }
        }
        catch (TimeoutException)
        {
            chosen = Fallback(candidates, RoutingFailureKind.TimedOut);
            RoutingLog.StrategyTimedOut(_logger, GetType().Name);
        }
        catch (Exception exception)
        {
            chosen = Fallback(candidates, RoutingFailureKind.Threw);
            RoutingLog.StrategyFailed(_logger, GetType().Name, exception);
        }

        if (chosen is null)
        {
            sender.Tell(NoBackend.Instance, Self);
            return;
        }

        _state.Leases++;
        _state.OpenLeases++;
        AdjustConnections(chosen.Id, +1);
        sender.Tell(new BackendLease(_state.Backends[chosen.Index]), Self);
    }

    private BackendCandidate Fallback(BackendCandidate[] candidates, RoutingFailureKind kind)
    {
        _state.StrategyFailures++;
        _state.Events?.Tell(new RoutingStrategyFailed(GetType().Name, kind), Self);
        return candidates[(int)(_state.FallbackNext++ % candidates.Length)];
    }

    /// <summary>
    /// The ready, healthy backends that are not ejected. If every ready backend is ejected, all of them (panic mode): a
    /// burst of failures must not refuse every client while the workers may well be fine.
    /// </summary>
    private BackendCandidate[] Routable()
    {
        var ready = _state.Backends.Values.Where(b => b.Ready && b.Healthy).ToArray();
        if (_state.Ejected.Count == 0)
        {
            return ready;
        }

        var now = _clock.GetTimestamp();
        var healthy = ready.Where(b => !(_state.Ejected.TryGetValue(b.Index, out var ejection) && ejection.Pid == b.Pid && now < ejection.Until)).ToArray();
        var panicking = healthy.Length == 0 && ready.Length > 0;
        if (panicking && !_state.Panicking)
        {
            RoutingLog.Panic(_logger);
        }

        _state.Panicking = panicking;
        return panicking ? ready : healthy;
    }

    private void Eject(BackendConnectFailed failed)
    {
        if (_state.EjectionPeriod > TimeSpan.Zero && _state.IndexById.TryGetValue(failed.Id, out var index) && _state.Backends.TryGetValue(index, out var backend))
        {
            _state.Ejected[index] = (backend.Pid, _clock.After(_clock.GetTimestamp(), _state.EjectionPeriod));
            RoutingLog.BackendEjected(_logger, failed.Id, failed.Reason, (long)_state.EjectionPeriod.TotalMilliseconds);
            _state.Events?.Tell(new BackendEjected(failed.Id, failed.Reason), Self);
        }
    }

    /// <summary>A lease ends: counted even when its worker has left the table since, so that a lost release shows.</summary>
    private void Release(ReleaseBackend release)
    {
        _state.OpenLeases = Math.Max(0, _state.OpenLeases - 1);
        AdjustConnections(release.Id, -1);
    }

    private void Upsert(BackendCandidate backend)
    {
        // A new process at the same index starts with no connections.
        var active = _state.Backends.TryGetValue(backend.Index, out var known) && known.Pid == backend.Pid ? known.ActiveConnections : 0;
        _state.Backends[backend.Index] = backend with { ActiveConnections = active };
        _state.IndexById[backend.Id] = backend.Index;
    }

    private void Remove(string id)
    {
        if (_state.IndexById.Remove(id, out var index))
        {
            _state.Backends.Remove(index);
        }
    }

    private void AdjustConnections(string id, int delta)
    {
        if (_state.IndexById.TryGetValue(id, out var index) && _state.Backends.TryGetValue(index, out var backend))
        {
            _state.Backends[index] = backend with { ActiveConnections = Math.Max(0, backend.ActiveConnections + delta) };
        }
    }

    /// <summary>Everything a router knows that must outlive a restart of its actor.</summary>
    private sealed class RouterState
    {
        public SortedDictionary<int, BackendCandidate> Backends { get; } = [];

        public Dictionary<string, int> IndexById { get; } = [];

        /// <summary>
        /// Backends the front door could not reach, by index: which process, and until when it is left out (a monotonic
        /// timestamp, so that a step of the wall clock neither ends an ejection early nor makes it last).
        /// </summary>
        public Dictionary<int, (int Pid, long Until)> Ejected { get; } = [];

        public TimeSpan EjectionPeriod { get; set; } = DefaultEjectionPeriod;

        public IActorRef? Events { get; set; }

        public bool Panicking { get; set; }

        public long FallbackNext { get; set; }

        public long ConnectionNumber { get; set; }

        public long Leases { get; set; }

        public long OpenLeases { get; set; }

        public long StrategyFailures { get; set; }
    }
}
