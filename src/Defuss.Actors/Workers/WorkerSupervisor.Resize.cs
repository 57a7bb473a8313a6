namespace Defuss.Actors.Workers;

/// <summary>
/// Resizing at run time (<c>IDefussControl.ScaleAsync</c>, <c>POST /scale</c>, <c>defuss scale</c>, SIGTTIN and SIGTTOU):
/// the pool is set to a size within its bounds (an elastic pool's <c>MinWorkers</c>..<c>MaxWorkers</c>, else 1 to 1024),
/// workers are added at the lowest free indexes or the highest retired with a drain, and the asker hears once that many
/// are Ready. An elastic pool goes on scaling to load from there.
/// </summary>
internal sealed partial class WorkerSupervisor
{
    /// <summary>The most workers a fixed pool may be resized to.</summary>
    internal const int MaxPoolSize = 1024;

    private (int Min, int Max, string Bounds) SizeBounds => _settings.Scaling is { } policy
        ? (policy.MinWorkers, policy.MaxWorkers, $"Defuss:MinWorkers..Defuss:MaxWorkers ({policy.MinWorkers}..{policy.MaxWorkers})")
        : (1, MaxPoolSize, $"1..{MaxPoolSize} for a fixed pool");

    /// <summary>The workers that are part of the pool's capacity: running and not retiring.</summary>
    private int PoolSize => _state.Running.Count(index => !_state.Retiring.Contains(index));

    private void HandleScale(ScalePool scale)
    {
        var (min, max, bounds) = SizeBounds;
        if (_state.Stopping)
        {
            Sender.Tell(new ScaleRefused("the pool is stopping", OutOfBounds: false));
            return;
        }

        if (scale.Workers < min || scale.Workers > max)
        {
            Sender.Tell(new ScaleRefused($"{scale.Workers} workers is outside {bounds}"));
            return;
        }

        _state.ScaleRequesters.Add((Sender, scale.Workers));
        Resize(scale.Workers, $"resized to {scale.Workers} workers on request");
    }

    private void HandleScaleBy(ScalePoolBy scale)
    {
        var (min, max, _) = SizeBounds;
        var target = Math.Clamp(PoolSize + scale.Delta, min, max);
        if (target != PoolSize && !_state.Stopping)
        {
            Resize(target, $"resized to {target} workers by a signal ({(scale.Delta > 0 ? "SIGTTIN" : "SIGTTOU")})");
        }
    }

    private void Resize(int target, string reason)
    {
        _state.Decider?.Reset();
        var decision = new ScaleDecision(ScaleDirection.None, reason, 0, 0);
        while (PoolSize < target)
        {
            AddWorker(decision);
        }

        while (PoolSize > target)
        {
            RetireWorker(decision);
        }

        ReplyResized();
    }

    /// <summary>Answers every asker whose size the pool has reached: that many Ready (heartbeating) workers, none retiring.</summary>
    private void ReplyResized()
    {
        if (_state.ScaleRequesters.Count == 0)
        {
            return;
        }

        var ready = _state.Running.Count(index => !_state.Retiring.Contains(index) && _state.LastReports.ContainsKey(index));
        _state.ScaleRequesters.RemoveAll(requester =>
        {
            if (requester.Workers != PoolSize || ready != PoolSize || _state.Retiring.Count > 0)
            {
                return false;
            }

            requester.Asker.Tell(new PoolResized(PoolSize));
            return true;
        });
    }
}
