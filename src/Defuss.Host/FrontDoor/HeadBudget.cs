using Defuss.Worker.Resilience;
using Defuss.Telemetry;
using Defuss.Worker.Runtime;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

/// <summary>
/// The one byte budget of every head the handoff intake has read off a socket and holds while it waits for the rest: a
/// late head grows its buffer from it as its bytes come, and gives it all back the moment it is complete. A head that
/// needs more than is left is not waited for: its connection is routed at once with the part of its head that has
/// arrived (the bytes reach the worker all the same), and that is counted and logged at a bounded rate.
/// </summary>
internal sealed class HeadBudget
{
    /// <summary>
    /// The budget unless the front door says otherwise: 16 MiB. Heads are rarely late (<c>TCP_DEFER_ACCEPT</c>) and a late
    /// one mostly takes 2 KiB, so it is room for thousands of slow clients, or sixteen heads of the largest
    /// <c>MaxHeaderBytes</c> (1 MiB), and a flood of them costs the primary no more.
    /// </summary>
    public const long DefaultBytes = 16 * 1024 * 1024;

    private readonly ILogger? _logger;
    private readonly DefussMetrics? _metrics;
    private readonly LogThrottle _throttle;
    private long _held;
    private long _exceeded;

    public HeadBudget(long bytes, ILogger? logger = null, DefussMetrics? metrics = null, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        Bytes = bytes;
        _logger = logger;
        _metrics = metrics;
        _throttle = new LogThrottle(timeProvider ?? TimeProvider.System, LogThrottle.DefaultInterval);
    }

    /// <summary>The budget, in bytes.</summary>
    public long Bytes { get; }

    /// <summary>The bytes the pending heads hold now.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>How many connections were routed with part of their head because the budget was spent.</summary>
    public long Exceeded => Interlocked.Read(ref _exceeded);

    /// <summary>Takes <paramref name="bytes"/> from the budget; false, taking nothing, when fewer are left.</summary>
    public bool TryTake(int bytes)
    {
        var held = Interlocked.Read(ref _held);
        while (true)
        {
            if (held + bytes > Bytes)
            {
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _held, held + bytes, held);
            if (seen == held)
            {
                return true;
            }

            held = seen;
        }
    }

    /// <summary>Gives back <paramref name="bytes"/> taken with <see cref="TryTake"/>.</summary>
    public void Return(int bytes) => Interlocked.Add(ref _held, -bytes);

    /// <summary>A connection is routed with part of its head because the budget was spent: counted, and logged now and then.</summary>
    public void OnExceeded()
    {
        Interlocked.Increment(ref _exceeded);
        _metrics?.HeadOverBudget();
        if (_logger is not null && _throttle.TryEnter(out var occurrences))
        {
            HandoffLog.HeadBudgetExceeded(_logger, Held, Bytes, occurrences);
        }
    }
}
