using Microsoft.Extensions.Logging;

namespace Defuss.Control;

/// <summary>The control hub's log messages; event ids are listed in <see cref="HostEventIds"/>.</summary>
internal static partial class ControlLog
{
    [LoggerMessage(EventId = HostEventIds.ControlRejected, Level = LogLevel.Warning, Message = "Closed a control connection: {Reason}")]
    public static partial void Rejected(ILogger logger, string reason);

    [LoggerMessage(EventId = HostEventIds.ControlAcceptFailed, Level = LogLevel.Warning, Message = "Accepting a control connection failed ({Error}, {Failures} in a row); accepting again in {DelayMs} ms")]
    public static partial void AcceptFailed(ILogger logger, string error, int failures, long delayMs);

    [LoggerMessage(EventId = HostEventIds.ControlReportRefused, Level = LogLevel.Warning, Message = "Refused a malformed control report from worker {Index} (incarnation {Incarnation}, pid {Pid}): {Problem}")]
    public static partial void ReportRefused(ILogger logger, int index, long incarnation, int pid, string problem);

    [LoggerMessage(EventId = HostEventIds.ControlWorkerBrokeProtocol, Level = LogLevel.Warning, Message = "Worker {Index} (incarnation {Incarnation}, pid {Pid}) broke the control protocol ({Reason}): its channel is closed and it is replaced")]
    public static partial void WorkerBrokeProtocol(ILogger logger, int index, long incarnation, int pid, string reason);

    [LoggerMessage(EventId = HostEventIds.ControlRejectionsNotLogged, Level = LogLevel.Warning, Message = "{Count} more control connections were closed without a line each (at most one line every {IntervalSeconds} s)")]
    public static partial void RejectionsNotLogged(ILogger logger, long count, long intervalSeconds);
}
