using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

/// <summary>The handoff channels' and the handoff intake's log messages; event ids are listed in <see cref="HostEventIds"/>.</summary>
internal static partial class HandoffLog
{
    [LoggerMessage(EventId = HostEventIds.HandoffChannelBroke, Level = LogLevel.Warning, Message = "The handoff channel to {Path} broke: {Reason} Its {Open} open connections are settled as ended, and the next connection to that worker opens a new channel ({Occurrences} broken channels since the last report)")]
    public static partial void ChannelBroke(ILogger logger, string path, string reason, int open, long occurrences);

    [LoggerMessage(EventId = HostEventIds.HandoffChannelRetired, Level = LogLevel.Debug, Message = "The handoff channel to {Path} refused a connection while still open (the worker stopped receiving on it); it only reports from now on, and the next connection to that worker opens a new channel")]
    public static partial void ChannelRetired(ILogger logger, string path);

    [LoggerMessage(EventId = HostEventIds.HandoffConnectionsReconciled, Level = LogLevel.Warning, Message = "The worker on {Path} no longer has {Count} connections whose end it never reported (the reports were lost); they are settled as ended")]
    public static partial void ConnectionsReconciled(ILogger logger, string path, int count);

    [LoggerMessage(EventId = HostEventIds.HandoffHeadBudgetExceeded, Level = LogLevel.Warning, Message = "The heads the front door waits for hold {HeldBytes} bytes of their {BudgetBytes}-byte budget: {Occurrences} connections since the last report were routed with the part of their head that had arrived")]
    public static partial void HeadBudgetExceeded(ILogger logger, long heldBytes, long budgetBytes, long occurrences);
}
