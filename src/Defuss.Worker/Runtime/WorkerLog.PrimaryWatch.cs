using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime;

internal static partial class WorkerLog
{
    [LoggerMessage(EventId = WorkerEventIds.PrimaryWatchStarted, Level = LogLevel.Debug, Message = "Worker {Index} watches its primary {PrimaryPid} ({Method}) and leads its own process group {ProcessGroup}")]
    public static partial void PrimaryWatchStarted(ILogger logger, int index, int primaryPid, string method, int processGroup);

    [LoggerMessage(EventId = WorkerEventIds.PrimaryWatchSawPrimaryEnd, Level = LogLevel.Warning, Message = "Worker {Index}: its primary {PrimaryPid} is gone; the worker stops")]
    public static partial void PrimaryWatchSawPrimaryEnd(ILogger logger, int index, int primaryPid);

    [LoggerMessage(EventId = WorkerEventIds.PrimaryWatchExiting, Level = LogLevel.Warning, Message = "Worker {Index} did not stop within {Grace} of its primary's end; it exits now")]
    public static partial void PrimaryWatchExiting(ILogger logger, int index, TimeSpan grace);
}
