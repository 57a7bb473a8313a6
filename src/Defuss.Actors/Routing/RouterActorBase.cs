using Microsoft.Extensions.Logging;

namespace Defuss.Actors.Routing;

/// <summary>
/// The base of every router: owns the routing table (one <see cref="BackendCandidate"/> per worker, with the connections
/// the front door has open to it) and answers <see cref="ChooseBackend"/> by asking <see cref="Choose"/>.
/// </summary>
/// <remarks>
/// A strategy that throws or returns a candidate that is not in the list is logged, counted
/// (<see cref="RouterStats.StrategyFailures"/>) and told to <see cref="RoutingSettings.Events"/> as a
/// <see cref="RoutingStrategyFailed"/>, and that connection is routed round robin instead.
/// </remarks>
public abstract class RouterActorBase : ReceiveActor
{
    private readonly SortedDictionary<int, BackendCandidate> _backends = [];
    private readonly Dictionary<string, int> _indexById = [];

    /// <summary>Backends the front door could not reach, by index: which process, and until when it is left out.</summary>
    private readonly Dictionary<int, (int Pid, DateTimeOffset Until)> _ejected = [];
    private TimeSpan _ejectionPeriod = DefaultEjectionPeriod;
    private IActorRef? _events;
    private bool _panicking;
    private readonly ILogger _logger;
    private long _fallbackNext;
    private long _connectionNumber;
    private long _leases;
    private long _strategyFailures;

    /// <summary>How long an unreachable backend is left out of routing unless <see cref="RoutingSettings"/> says otherwise.</summary>
    public static readonly TimeSpan DefaultEjectionPeriod = TimeSpan.FromSeconds(10);

    protected RouterActorBase()
    {
        _logger = Context.System.LoggerFactory.CreateLogger("Defuss.Actors.Routing");
        Receive<BackendUpdated>(updated => Upsert(updated.Backend));
        Receive<BackendRemoved>(removed => Remove(removed.Id));
        ReceiveAsync<ChooseBackend>(OnChooseAsync);
        Receive<ReleaseBackend>(release => AdjustConnections(release.Id, -1));
        Receive<BackendConnectFailed>(Eject);
        Receive<RoutingSettings>(settings => (_ejectionPeriod, _events) = (settings.EjectionPeriod, settings.Events));
        Receive<GetRouterStats>(_ => Sender.Tell(new RouterStats(_leases, _strategyFailures)));
    }

    /// <summary>
    /// Picks one of <paramref name="candidates"/> (ready and healthy, ordered by index, never empty) for the connection
    /// that sent <paramref name="request"/>; <c>null</c> means none can take it.
    /// </summary>
    protected abstract BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates);

    /// <summary>The strategy's answer, which may complete later; <paramref name="connectionNumber"/> counts connections from 1.</summary>
    private protected virtual ValueTask<BackendCandidate?> ChooseAsync(
        ParsedRequest request, IReadOnlyList<BackendCandidate> candidates, long connectionNumber) => new(Choose(request, candidates));

    private Task OnChooseAsync(ChooseBackend choose)
    {
        var sender = Sender;
        var candidates = Routable();
        var connectionNumber = ++_connectionNumber;
        if (candidates.Length == 0)
        {
            sender.Tell(NoBackend.Instance, Self);
            return Task.CompletedTask;
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
            return Task.CompletedTask;
        }

        return AwaitAsync(sender, candidates, pending);
    }

    private async Task AwaitAsync(IActorRef sender, BackendCandidate[] candidates, ValueTask<BackendCandidate?> pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Reply reads the failure from the completed task.
        }

        Reply(sender, candidates, pending);
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

        _leases++;
        AdjustConnections(chosen.Id, +1);
        sender.Tell(new BackendLease(_backends[chosen.Index]), Self);
    }

    private BackendCandidate Fallback(BackendCandidate[] candidates, RoutingFailureKind kind)
    {
        _strategyFailures++;
        _events?.Tell(new RoutingStrategyFailed(GetType().Name, kind), Self);
        return candidates[(int)(_fallbackNext++ % candidates.Length)];
    }

    /// <summary>
    /// The ready, healthy backends that are not ejected. If every ready backend is ejected, all of them (panic mode): a
    /// burst of failures must not refuse every client while the workers may well be fine.
    /// </summary>
    private BackendCandidate[] Routable()
    {
        var ready = _backends.Values.Where(b => b.Ready && b.Healthy).ToArray();
        if (_ejected.Count == 0)
        {
            return ready;
        }

        var now = Context.System.TimeProvider.GetUtcNow();
        var healthy = ready.Where(b => !(_ejected.TryGetValue(b.Index, out var ejection) && ejection.Pid == b.Pid && now < ejection.Until)).ToArray();
        var panicking = healthy.Length == 0 && ready.Length > 0;
        if (panicking && !_panicking)
        {
            RoutingLog.Panic(_logger);
        }

        _panicking = panicking;
        return panicking ? ready : healthy;
    }

    private void Eject(BackendConnectFailed failed)
    {
        if (_ejectionPeriod > TimeSpan.Zero && _indexById.TryGetValue(failed.Id, out var index) && _backends.TryGetValue(index, out var backend))
        {
            _ejected[index] = (backend.Pid, Context.System.TimeProvider.GetUtcNow() + _ejectionPeriod);
            RoutingLog.BackendEjected(_logger, failed.Id, failed.Reason, (long)_ejectionPeriod.TotalMilliseconds);
        }
    }

    private void Upsert(BackendCandidate backend)
    {
        // A new process at the same index starts with no connections.
        var active = _backends.TryGetValue(backend.Index, out var known) && known.Pid == backend.Pid ? known.ActiveConnections : 0;
        _backends[backend.Index] = backend with { ActiveConnections = active };
        _indexById[backend.Id] = backend.Index;
    }

    private void Remove(string id)
    {
        if (_indexById.Remove(id, out var index))
        {
            _backends.Remove(index);
        }
    }

    private void AdjustConnections(string id, int delta)
    {
        if (_indexById.TryGetValue(id, out var index) && _backends.TryGetValue(index, out var backend))
        {
            _backends[index] = backend with { ActiveConnections = Math.Max(0, backend.ActiveConnections + delta) };
        }
    }
}
