using Microsoft.Extensions.Logging;

namespace Defuss.Upgrade;

/// <summary>The log messages of a hand-over between primaries, and of socket activation.</summary>
internal static partial class UpgradeLog
{
    [LoggerMessage(EventId = HostEventIds.UpgradeStarting, Level = LogLevel.Information, Message = "Hand-over asked for by {Trigger}: primary {Pid} starts a new primary")]
    public static partial void Starting(ILogger logger, string trigger, int pid);

    [LoggerMessage(EventId = HostEventIds.SuccessorStarted, Level = LogLevel.Information, Message = "Hand-over: primary {Pid} started the new primary, pid {SuccessorPid}: {Command}")]
    public static partial void SuccessorStarted(ILogger logger, int pid, int successorPid, string command);

    [LoggerMessage(EventId = HostEventIds.HandedOver, Level = LogLevel.Information, Message = "Hand-over done: primary {SuccessorPid} accepts on the listening sockets ({ReadyWorkers} of its workers Ready); primary {Pid} stops accepting, drains and exits")]
    public static partial void HandedOver(ILogger logger, int successorPid, int readyWorkers, int pid);

    [LoggerMessage(EventId = HostEventIds.UpgradeFailed, Level = LogLevel.Error, Message = "Hand-over failed; primary {Pid} serves on. The new primary (pid {SuccessorPid}) did not take over: {Reason}")]
    public static partial void Failed(ILogger logger, int pid, int successorPid, string reason);

    [LoggerMessage(EventId = HostEventIds.UpgradeRefused, Level = LogLevel.Warning, Message = "Hand-over asked for by {Trigger} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string trigger, string reason);

    [LoggerMessage(EventId = HostEventIds.SuccessorKilled, Level = LogLevel.Warning, Message = "The new primary (pid {SuccessorPid}) did not stop within {GraceSeconds} s of SIGTERM: killed")]
    public static partial void SuccessorKilled(ILogger logger, int successorPid, double graceSeconds);

    [LoggerMessage(EventId = HostEventIds.TakingOver, Level = LogLevel.Information, Message = "Primary {Pid} takes over from primary {PredecessorPid}: its listening sockets {Endpoints}")]
    public static partial void TakingOver(ILogger logger, int pid, int predecessorPid, string endpoints);

    [LoggerMessage(EventId = HostEventIds.SystemdSockets, Level = LogLevel.Information, Message = "The front door listens on the {Count} socket(s) systemd passed (LISTEN_FDS): {Endpoints}; Defuss:Host, Defuss:Port and ASP.NET's URLs are not bound")]
    public static partial void SystemdSockets(ILogger logger, int count, string endpoints);

    [LoggerMessage(EventId = HostEventIds.AdminAfterHandOverFailed, Level = LogLevel.Error, Message = "The admin endpoint did not start after the hand-over: {Reason}. The front door serves; the admin endpoint starts again with the next start or hand-over")]
    public static partial void AdminAfterHandOverFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = HostEventIds.EnvironmentFileUnreadable, Level = LogLevel.Warning, Message = "{Reason}: a hand-over reads the file again, and refuses to start a new primary while it does not parse")]
    public static partial void EnvironmentFileUnreadable(ILogger logger, string reason);

    [LoggerMessage(EventId = HostEventIds.ErrorOutputNotTakenBack, Level = LogLevel.Warning, Message = "Primary {Pid} could not take back its standard error from the hand-over's pipe ({Reason}): what it writes there is lost once primary {PredecessorPid} exits")]
    public static partial void ErrorOutputNotTakenBack(ILogger logger, int pid, int predecessorPid, string reason);
}
