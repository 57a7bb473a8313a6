using Defuss.Cli.Admin;

namespace Defuss.Cli;

/// <summary>
/// What the tool takes from its surroundings, so that a test can run it in process: where the sockets are, the
/// environment, the clock, and how long it waits.
/// </summary>
internal sealed record CliEnvironment
{
    /// <summary>The real machine: <see cref="AdminSockets.Directory"/>, the process environment, the system clock.</summary>
    public static CliEnvironment Default { get; } = new();

    /// <summary>Where to look for primaries' admin sockets; null for the user's admin-socket directory.</summary>
    public string? AdminDirectory { get; init; }

    /// <summary>Reads an environment variable (DEFUSS_ADMIN_TOKEN). Defaults to the process environment.</summary>
    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The deadline of a request that should answer at once. Defaults to 5 s: a primary answers status from memory.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long <c>reload</c> waits for the rolling restart. Defaults to 10 min: each worker drains before it is replaced.</summary>
    public TimeSpan ReloadTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long <c>scale</c> waits for the new size to be Ready. Defaults to 10 min: new workers start, retired ones drain.</summary>
    public TimeSpan ScaleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long <c>upgrade</c> waits for the new primary to accept. Defaults to 5 min: it starts its workers first.</summary>
    public TimeSpan UpgradeTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often <c>top</c>, <c>reload</c> and <c>scale</c> ask for the status. Defaults to 1 s.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(1);

    public PrimaryFinder Finder() => new(AdminDirectory);
}
