namespace Defuss.Actors.Workers;

/// <summary>
/// How a worker's process is started again after it exits: exponential backoff with jitter, a reset after a stable
/// period, and a crash-loop budget after which the worker is given up.
/// </summary>
/// <param name="BackoffMin">The delay before the first respawn.</param>
/// <param name="BackoffMax">The longest delay; doubling stops here.</param>
/// <param name="BackoffResetAfter">A worker Ready for this long has its backoff reset.</param>
/// <param name="MaxRestarts">More restarts than this within <paramref name="MaxRestartsWindow"/> gives the worker up.</param>
/// <param name="MaxRestartsWindow">The window the restart budget counts in.</param>
internal sealed record RestartPolicy(
    TimeSpan BackoffMin,
    TimeSpan BackoffMax,
    TimeSpan BackoffResetAfter,
    int MaxRestarts,
    TimeSpan MaxRestartsWindow)
{
    /// <summary>100 ms doubling to 10 s, reset after 30 s Ready, at most 10 restarts a minute.</summary>
    public static RestartPolicy Default { get; } = new(
        TimeSpan.FromMilliseconds(100),
        TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(30),
        10,
        TimeSpan.FromMinutes(1));

    /// <summary>The share of a delay that jitter may take off, so that workers that fail together do not restart together.</summary>
    public const double Jitter = 0.2;
}

/// <summary>The backoff arithmetic, kept pure so that it can be tested on its own.</summary>
internal static class Backoff
{
    /// <summary>
    /// The delay before respawn number <paramref name="attempt"/> (1 for the first): <c>min x 2^(attempt-1)</c>, capped at
    /// <c>max</c>, then shortened by up to <see cref="RestartPolicy.Jitter"/> of itself as <paramref name="random"/>
    /// (0 &lt;= random &lt; 1) says. Never below <c>min</c>.
    /// </summary>
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max, double random)
    {
        var doublings = Math.Clamp(attempt - 1, 0, 62);
        var ticks = doublings >= 62 || min.Ticks > max.Ticks >> doublings ? max.Ticks : min.Ticks << doublings;
        var jittered = (long)(ticks * (1 - (RestartPolicy.Jitter * Math.Clamp(random, 0, 1))));
        return TimeSpan.FromTicks(Math.Max(min.Ticks, jittered));
    }
}
