namespace Defuss.Actors.Routing;

/// <summary>
/// The routing table: one <see cref="BackendCandidate"/> per ready worker, with the connections the front door has open
/// to it. Answers <see cref="ChooseBackend"/> in round-robin order over the ready, healthy workers.
/// </summary>
internal sealed class RouterActor : ReceiveActor
{
    private readonly SortedDictionary<int, BackendCandidate> _backends = [];
    private readonly Dictionary<string, int> _indexById = [];
    private long _next;

    public RouterActor()
    {
        Receive<BackendUpdated>(updated => Upsert(updated.Backend));
        Receive<BackendRemoved>(removed => Remove(removed.Id));
        Receive<ChooseBackend>(_ => Sender.Tell(Choose()));
        Receive<ReleaseBackend>(release => AdjustConnections(release.Id, -1));
        Receive<BackendConnectFailed>(_ => { });
    }

    private object Choose()
    {
        var routable = _backends.Values.Where(b => b.Ready && b.Healthy).ToArray();
        if (routable.Length == 0)
        {
            return NoBackend.Instance;
        }

        var chosen = routable[(int)(_next++ % routable.Length)];
        AdjustConnections(chosen.Id, +1);
        return new BackendLease(_backends[chosen.Index]);
    }

    private void Upsert(BackendCandidate backend)
    {
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
