using Defuss.Bench.Load.Scenarios;
using Defuss.Bench.Load.Topologies;

namespace Defuss.Bench.Load.Options;

/// <summary>What one run of the load benchmark does; <see cref="LoadOptionsParser"/> builds and validates it.</summary>
internal sealed record LoadOptions
{
    /// <summary>Defaults to 10 s: long enough for a stable rate at tens of thousands of requests per second.</summary>
    public const int DefaultDurationSeconds = 10;

    /// <summary>Defaults to 64: enough to keep two cores busy through any topology, as the earlier comparisons used.</summary>
    public const int DefaultConnections = 64;

    /// <summary>Defaults to 3: the median of three shrugs off one noisy run.</summary>
    public const int DefaultRounds = 3;

    /// <summary>Defaults to 1 s per scenario and topology: JIT, tiered compilation and pools settle before the first round.</summary>
    public const int DefaultWarmupSeconds = 1;

    /// <summary>Defaults to 1 wrk thread, so that the load generator takes at most one core of the machine it shares.</summary>
    public const int DefaultThreads = 1;

    /// <summary>Every scenario by default.</summary>
    public IReadOnlyList<Scenario> Scenarios { get; init; } = ScenarioCatalog.All;

    /// <summary>Every topology by default (those whose tool is missing are skipped with a message).</summary>
    public IReadOnlyList<string> Topologies { get; init; } = TopologyCatalog.All;

    public int DurationSeconds { get; init; } = DefaultDurationSeconds;

    public int Connections { get; init; } = DefaultConnections;

    /// <summary>Defaults to the machine's processor count, as Defuss's own Workers=auto.</summary>
    public required int Workers { get; init; }

    public int Rounds { get; init; } = DefaultRounds;

    public int WarmupSeconds { get; init; } = DefaultWarmupSeconds;

    public int Threads { get; init; } = DefaultThreads;

    /// <summary>Where the reports go; null for bench/results.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Whether to measure a primary's start, respawn and memory once. Defaults to true.</summary>
    public bool Lifecycle { get; init; } = true;
}
