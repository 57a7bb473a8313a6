namespace Defuss.Worker.Protocol;

/// <summary>
/// What a control frame must hold beyond its JSON shape: the fields a side reads are present, and the numbers are ones a
/// real process can report. A frame that breaks a rule is refused whole (<see cref="ControlFraming.ReadFrameAsync"/> says
/// why); nothing of it reaches the code that acts on it.
/// </summary>
internal static class ControlMessageRules
{
    /// <summary>The longest text field a frame may carry (an endpoint, a reason, a secret).</summary>
    public const int MaxTextLength = 4096;

    /// <summary>Why <paramref name="message"/> is malformed, or <c>null</c> when it is well-formed.</summary>
    public static string? Problem(ControlMessage message) => message switch
    {
        Hello hello => HelloProblem(hello),
        Ready ready => Text("ready", "endpoint", ready.Endpoint),
        Heartbeat heartbeat => heartbeat.Stats is null ? "a heartbeat without stats" : StatsProblem(heartbeat.Stats),
        Stopping stopping => Text("stopping", "reason", stopping.Reason),
        Stop stop => stop.DeadlineMs < 0 ? $"a stop with a negative deadline ({stop.DeadlineMs} ms)" : null,
        _ => null,
    };

    private static string? HelloProblem(Hello hello) =>
        hello.Index < 0 ? $"a hello with a negative index ({hello.Index})"
        : hello.Incarnation < 1 ? $"a hello with incarnation {hello.Incarnation} (they count from 1)"
        : hello.Pid <= 0 ? $"a hello with pid {hello.Pid}"
        : Text("hello", "secret", hello.Secret);

    private static string? Text(string frame, string field, string? value) =>
        string.IsNullOrEmpty(value) ? $"a {frame} without its {field}"
        : value.Length > MaxTextLength ? $"a {frame} whose {field} is {value.Length} characters long (at most {MaxTextLength})"
        : null;

    private static string? StatsProblem(WorkerStats stats)
    {
        if (stats.Pid <= 0)
        {
            return $"a heartbeat whose stats carry pid {stats.Pid}";
        }

        if (!double.IsFinite(stats.CpuPercent) || stats.CpuPercent < 0 || !double.IsFinite(stats.GcPausePercent) || stats.GcPausePercent is < 0 or > 100)
        {
            return $"a heartbeat with impossible percentages (CPU {stats.CpuPercent}, GC pause {stats.GcPausePercent})";
        }

        var negative = stats.WorkingSetBytes < 0 ? nameof(stats.WorkingSetBytes)
            : stats.GcHeapBytes < 0 ? nameof(stats.GcHeapBytes)
            : stats.GcCommittedBytes < 0 ? nameof(stats.GcCommittedBytes)
            : stats.ThreadPoolQueueLength < 0 ? nameof(stats.ThreadPoolQueueLength)
            : stats.ActiveConnections < 0 ? nameof(stats.ActiveConnections)
            : stats.RequestsInFlight < 0 ? nameof(stats.RequestsInFlight)
            : stats.RequestsServed < 0 ? nameof(stats.RequestsServed)
            : stats.UptimeMs < 0 ? nameof(stats.UptimeMs)
            : stats.SampledAtUnixMs < 0 ? nameof(stats.SampledAtUnixMs)
            : null;
        return negative is null ? null : $"a heartbeat whose {negative} is negative";
    }
}
