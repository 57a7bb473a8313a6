namespace Defuss.Actors;

/// <summary>What a supervisor does with a child whose handler threw.</summary>
public enum Directive
{
    /// <summary>Keep the instance and its state; drop the failed message.</summary>
    Resume,

    /// <summary>Replace the instance with a new one from its props; keep the mailbox; drop the failed message.</summary>
    Restart,

    /// <summary>Stop the child.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception; the child stays suspended and is resumed or restarted with it.</summary>
    Escalate,
}

/// <summary>How a supervisor handles its children's failures.</summary>
public abstract class SupervisorStrategy
{
    /// <summary>
    /// Restarts on any exception, without a retry limit, except a child that fails to start
    /// (<see cref="ActorInitializationException"/>), which is stopped.
    /// </summary>
    public static SupervisorStrategy DefaultStrategy { get; } = new OneForOneStrategy(DefaultDecider);

    /// <summary>The decision of <see cref="DefaultStrategy"/>.</summary>
    public static Directive DefaultDecider(Exception exception) =>
        exception is ActorInitializationException ? Directive.Stop : Directive.Restart;

    /// <summary>Decides what to do with <paramref name="child"/>, which failed with <paramref name="cause"/>.</summary>
    internal abstract Directive Decide(ChildRestartStats child, Exception cause, DateTimeOffset now);
}

/// <summary>
/// Applies its decision to the failed child only. A restart is allowed at most <c>maxNrOfRetries</c> times
/// within <c>withinTimeRange</c>; past that budget the child is stopped.
/// </summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    private readonly Func<Exception, Directive> _decider;

    /// <summary>A strategy with a restart budget of <paramref name="maxNrOfRetries"/> within <paramref name="withinTimeRange"/>.</summary>
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxNrOfRetries);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(withinTimeRange, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(decider);
        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        _decider = decider;
    }

    /// <summary>A strategy that restarts without a budget whenever <paramref name="decider"/> says so.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        _decider = decider;
    }

    /// <summary>The number of restarts allowed within <see cref="WithinTimeRange"/>; <c>null</c> for no limit.</summary>
    public int? MaxNrOfRetries { get; }

    /// <summary>The window the budget counts in; <c>null</c> counts over the child's whole life.</summary>
    public TimeSpan? WithinTimeRange { get; }

    internal override Directive Decide(ChildRestartStats child, Exception cause, DateTimeOffset now)
    {
        var directive = _decider(cause);
        if (directive == Directive.Restart && MaxNrOfRetries is { } max && !child.RequestRestartPermission(max, WithinTimeRange, now))
        {
            return Directive.Stop;
        }

        return directive;
    }
}

/// <summary>A supervisor's count of one child's restarts within the current window.</summary>
internal sealed class ChildRestartStats
{
    private int _count;
    private DateTimeOffset? _windowStart;

    internal bool RequestRestartPermission(int maxNrOfRetries, TimeSpan? window, DateTimeOffset now)
    {
        if (maxNrOfRetries == 0)
        {
            return false;
        }

        if (window is null)
        {
            return ++_count <= maxNrOfRetries;
        }

        if (_windowStart is { } start && now - start <= window.Value)
        {
            return ++_count <= maxNrOfRetries;
        }

        _windowStart = now;
        _count = 1;
        return true;
    }
}
