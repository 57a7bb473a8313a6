namespace Defuss.Cli.Admin;

/// <summary>
/// What <c>GET /status</c> answers: the tool's read model of the primary's <c>DefussStatus</c>. Every member has a
/// default, so that a primary that omits a field (older or newer than the tool) still shows what it has.
/// </summary>
internal sealed record PrimaryStatus
{
    public int Pid { get; init; }

    public string Version { get; init; } = "";

    public DateTimeOffset StartedAt { get; init; }

    public double UptimeSeconds { get; init; }

    public IReadOnlyList<string> Endpoints { get; init; } = [];

    public string Delivery { get; init; } = "";

    public string LoadBalancer { get; init; } = "";

    public int ReadyWorkers { get; init; }

    public IReadOnlyList<WorkerInfo> Workers { get; init; } = [];

    public IReadOnlyList<WorkerEvent> RecentEvents { get; init; } = [];

    /// <summary>This primary's hand-over to a new one, if any is under way or failed.</summary>
    public UpgradeInfo? Upgrade { get; init; }

    /// <summary>The primary this one took over from, while it drains.</summary>
    public PredecessorInfo? Predecessor { get; init; }

    /// <summary>When the primary took this snapshot, by its own clock.</summary>
    public DateTimeOffset TakenAt => StartedAt.AddSeconds(UptimeSeconds);
}

/// <summary>One worker of a <see cref="PrimaryStatus"/>.</summary>
internal sealed record WorkerInfo
{
    public int Index { get; init; }

    public int Pid { get; init; }

    public long Incarnation { get; init; }

    /// <summary>Starting, Ready, Stale, Draining, Exited, Restarting or GivenUp.</summary>
    public string State { get; init; } = "";

    public DateTimeOffset? StartedAt { get; init; }

    public double UptimeSeconds { get; init; }

    public int Restarts { get; init; }

    public string? LastExit { get; init; }

    public double CpuPercent { get; init; }

    public long WorkingSetBytes { get; init; }

    public long GcHeapBytes { get; init; }

    public long Connections { get; init; }

    public long RequestsInFlight { get; init; }

    public long RequestsServed { get; init; }

    public DateTimeOffset? LastHeartbeatAt { get; init; }
}

/// <summary>One worker event of a <see cref="PrimaryStatus"/>.</summary>
internal sealed record WorkerEvent
{
    public DateTimeOffset Time { get; init; }

    public int Worker { get; init; }

    public long Incarnation { get; init; }

    public string Kind { get; init; } = "";

    public string Message { get; init; } = "";
}

/// <summary>A primary's hand-over to a new one, as <c>/status</c> lists it.</summary>
internal sealed record UpgradeInfo
{
    /// <summary>idle, starting or handed-over.</summary>
    public string State { get; init; } = "idle";

    public int? SuccessorPid { get; init; }

    public string? LastFailure { get; init; }

    public DateTimeOffset? LastFailureAt { get; init; }
}

/// <summary>The primary a new one took over from, while it drains.</summary>
internal sealed record PredecessorInfo
{
    public int Pid { get; init; }

    public string State { get; init; } = "";
}
