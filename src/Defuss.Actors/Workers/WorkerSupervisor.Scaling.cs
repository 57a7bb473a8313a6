using Defuss.Actors.Routing;

namespace Defuss.Actors.Workers;

/// <summary>
/// An elastic pool (<see cref="WorkerPoolSettings.Scaling"/> set): the supervisor judges the load from the heartbeats the
/// workers already publish (no polling of its own), starts one worker more at the lowest free index when the Ready
/// workers stay saturated, and retires one (the highest index) when the pool stays idle: out of routing first, its
/// in-flight requests finished within the drain timeout, then its process exits, exactly as at a shutdown.
/// </summary>
internal sealed partial class WorkerSupervisor
{
    /// <summary>Follows the heartbeats: they drive an elastic pool, and say when a resized pool's new workers are Ready.</summary>
    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(WorkerStatsReported));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    /// <summary>How many workers the pool starts with: its minimum when elastic, else its fixed size.</summary>
    private int InitialWorkers => _settings.Scaling?.MinWorkers ?? _settings.Workers;

    private void HandleStats(WorkerStatsReported report)
    {
        // A retiring worker still reports until it exits: it is no longer part of the pool's capacity.
        if (_state.Stopping || !_state.Running.Contains(report.Index) || _state.Retiring.Contains(report.Index))
        {
            return;
        }

        var now = _clock.GetTimestamp();
        _state.LastReports[report.Index] = (now, report.Stats.CpuPercent, report.Stats.RequestsInFlight);
        ReplyResized();
        if (_settings.Scaling is not { } policy)
        {
            return;
        }

        var decider = _state.Decider ??= new ScaleDecider(policy);
        var decision = decider.Observe(now, _clock, [.. _state.LastReports.Values.Select(r => (r.CpuPercent, r.RequestsInFlight))], PoolSize, Settled(now));
        switch (decision.Direction)
        {
            case ScaleDirection.Up:
                AddWorker(decision);
                break;
            case ScaleDirection.Down:
                RetireWorker(decision);
                break;
        }
    }

    /// <summary>
    /// Whether the pool shows its steady state: every running worker has reported within two heartbeats (so none is
    /// starting, restarting or stale), none is retiring, and no rolling restart runs.
    /// </summary>
    private bool Settled(long now)
    {
        var recent = _settings.HeartbeatInterval + _settings.HeartbeatInterval;
        return _state.Retiring.Count == 0 && _state.Replacing is null && _state.ToReplace.Count == 0 && _state.GivenUp.Count == 0
            && _state.Running.All(index => _state.LastReports.TryGetValue(index, out var report) && _clock.GetElapsedTime(report.At, now) <= recent);
    }

    private void AddWorker(ScaleDecision decision)
    {
        var index = Enumerable.Range(0, int.MaxValue).First(i => !_state.Children.ContainsValue(i));
        StartWorkerActor(index, new WorkerRecord());
        _state.Running.Add(index);
        _events.Tell(new WorkerPoolScaled(index, PoolSize, "up", decision.Reason, decision.MeanCpuPercent, decision.MeanRequestsInFlight));
    }

    private void RetireWorker(ScaleDecision decision)
    {
        // The highest index that is not being replaced by a rolling restart (which skips it from now on).
        var index = _state.Running.Where(i => !_state.Retiring.Contains(i) && i != _state.Replacing).Max();
        var queued = _state.ToReplace.Where(i => i != index).ToArray();
        _state.ToReplace.Clear();
        foreach (var next in queued)
        {
            _state.ToReplace.Enqueue(next);
        }

        _state.Retiring.Add(index);
        _state.LastReports.Remove(index);
        Context.Child(BackendCandidate.IdOf(index)).Tell(new StopWorker(_settings.DrainTimeout));
        _events.Tell(new WorkerPoolScaled(index, PoolSize, "down", decision.Reason, decision.MeanCpuPercent, decision.MeanRequestsInFlight));
    }

    /// <summary>A retired worker's process has exited: its actor goes, and its index is free again.</summary>
    private void ForgetRetired(int index)
    {
        _state.Retiring.Remove(index);
        _state.Records.Remove(index);
        _state.LastReports.Remove(index);
        var child = Context.Child(BackendCandidate.IdOf(index));
        if (!child.IsNobody())
        {
            Context.Stop(child);
        }
    }
}
