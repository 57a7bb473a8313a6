namespace Defuss.Actors.Workers;

/// <summary>
/// An elastic pool's bounds and when it grows or shrinks. The signals are the two a .NET worker shows when it saturates:
/// CPU (the thread pool busy on the app's code) and requests in flight (work queueing in the process, which is latency
/// the clients see), each the mean over the Ready workers. The up thresholds sit well above the down ones, and each
/// state must hold for a whole period, so that a steady load never makes the pool flap.
/// </summary>
internal sealed record ScalingPolicy
{
    /// <summary>The fewest workers; the pool starts with this many.</summary>
    public required int MinWorkers { get; init; }

    /// <summary>The most workers.</summary>
    public required int MaxWorkers { get; init; }

    /// <summary>How long the Ready workers must be saturated before one more starts. Defaults to 15 s: past a burst, short of a minute of overload.</summary>
    public TimeSpan ScaleUpAfter { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the pool must be under the down thresholds before one worker retires. Defaults to 5 minutes: a lull is not a trend.</summary>
    public TimeSpan ScaleDownAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Mean CPU per Ready worker, in percent of one core, at or above which the pool is saturated. Defaults to 70.</summary>
    public double ScaleUpCpuPercent { get; init; } = 70;

    /// <summary>Mean CPU per Ready worker below which the pool may shrink. Defaults to 25: well under the up threshold.</summary>
    public double ScaleDownCpuPercent { get; init; } = 25;

    /// <summary>Mean requests in flight per Ready worker at or above which the pool is saturated. Defaults to 32.</summary>
    public double ScaleUpRequestsInFlight { get; init; } = 32;

    /// <summary>Mean requests in flight per Ready worker below which the pool may shrink. Defaults to 4.</summary>
    public double ScaleDownRequestsInFlight { get; init; } = 4;
}

/// <summary>What <see cref="ScaleDecider"/> concluded from one look at the pool.</summary>
internal enum ScaleDirection
{
    None,
    Up,
    Down,
}

/// <summary>A decision, with the figures it rests on (for the event, the log and the metric).</summary>
internal sealed record ScaleDecision(ScaleDirection Direction, string Reason, double MeanCpuPercent, double MeanRequestsInFlight)
{
    public static ScaleDecision None { get; } = new(ScaleDirection.None, "", 0, 0);
}

/// <summary>
/// The scaling rule as pure arithmetic over the heartbeats: saturated (either signal at or above its up threshold) for
/// <see cref="ScalingPolicy.ScaleUpAfter"/> means one worker more; idle (both signals under their down thresholds) for
/// <see cref="ScalingPolicy.ScaleDownAfter"/> means one fewer. Between the two thresholds neither clock runs. Nothing is
/// decided while the pool is not settled (a worker starting, restarting or retiring, a rolling restart): capacity the
/// pool never had (a crash-looping worker) must not read as load, and one change is judged only once it has taken effect.
/// </summary>
internal sealed class ScaleDecider(ScalingPolicy policy)
{
    private long? _busySince;
    private long? _idleSince;

    /// <summary>Looks at the pool at <paramref name="now"/> (a timestamp of <paramref name="clock"/>).</summary>
    public ScaleDecision Observe(long now, TimeProvider clock, IReadOnlyCollection<(double CpuPercent, long RequestsInFlight)> ready, int size, bool settled)
    {
        if (!settled || ready.Count == 0)
        {
            Reset();
            return ScaleDecision.None;
        }

        var cpu = ready.Average(worker => worker.CpuPercent);
        var inFlight = ready.Average(worker => (double)worker.RequestsInFlight);
        var busy = cpu >= policy.ScaleUpCpuPercent || inFlight >= policy.ScaleUpRequestsInFlight;
        var idle = cpu < policy.ScaleDownCpuPercent && inFlight < policy.ScaleDownRequestsInFlight;
        _busySince = busy ? _busySince ?? now : null;
        _idleSince = idle ? _idleSince ?? now : null;

        if (_busySince is { } since && size < policy.MaxWorkers && clock.GetElapsedTime(since, now) >= policy.ScaleUpAfter)
        {
            Reset();
            var why = cpu >= policy.ScaleUpCpuPercent
                ? $"mean CPU {cpu:0.#} % >= {policy.ScaleUpCpuPercent:0.#} % for {policy.ScaleUpAfter.TotalSeconds:0.#} s"
                : $"mean requests in flight {inFlight:0.#} >= {policy.ScaleUpRequestsInFlight:0.#} for {policy.ScaleUpAfter.TotalSeconds:0.#} s";
            return new ScaleDecision(ScaleDirection.Up, why, cpu, inFlight);
        }

        if (_idleSince is { } quiet && size > policy.MinWorkers && clock.GetElapsedTime(quiet, now) >= policy.ScaleDownAfter)
        {
            Reset();
            return new ScaleDecision(
                ScaleDirection.Down,
                $"mean CPU {cpu:0.#} % < {policy.ScaleDownCpuPercent:0.#} % and requests in flight {inFlight:0.#} < {policy.ScaleDownRequestsInFlight:0.#} for {policy.ScaleDownAfter.TotalSeconds:0.#} s",
                cpu,
                inFlight);
        }

        return ScaleDecision.None;
    }

    /// <summary>Forgets how long either state has held: after a change, it is judged afresh.</summary>
    public void Reset() => (_busySince, _idleSince) = (null, null);
}
