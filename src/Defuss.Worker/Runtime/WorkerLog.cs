using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime;

/// <summary>The worker runtime's log messages; event ids are listed in <see cref="WorkerEventIds"/>.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(EventId = WorkerEventIds.ControlConnected, Level = LogLevel.Debug, Message = "Worker {Index} (incarnation {Incarnation}) connected to the control socket {Path}")]
    public static partial void ControlConnected(ILogger logger, int index, long incarnation, string path);

    [LoggerMessage(EventId = WorkerEventIds.ControlConnectRetry, Level = LogLevel.Debug, Message = "The control socket {Path} is not accepting yet ({SocketError}); retrying")]
    public static partial void ControlConnectRetry(ILogger logger, string path, SocketError socketError);

    [LoggerMessage(EventId = WorkerEventIds.ControlConnectFailed, Level = LogLevel.Error, Message = "Worker {Index} could not connect to the control socket {Path} within {Timeout}; the worker stops")]
    public static partial void ControlConnectFailed(ILogger logger, int index, string path, TimeSpan timeout, Exception? exception);

    [LoggerMessage(EventId = WorkerEventIds.WorkerReady, Level = LogLevel.Information, Message = "Worker {Index} (incarnation {Incarnation}, pid {Pid}) is ready on {Endpoint}")]
    public static partial void WorkerReady(ILogger logger, int index, long incarnation, int pid, string endpoint);

    [LoggerMessage(EventId = WorkerEventIds.StopRequested, Level = LogLevel.Information, Message = "Worker {Index}: the primary asked it to stop within {DeadlineMs} ms")]
    public static partial void StopRequested(ILogger logger, int index, int deadlineMs);

    [LoggerMessage(EventId = WorkerEventIds.PrimaryGone, Level = LogLevel.Warning, Message = "Worker {Index}: the control channel closed, so the primary is gone; the worker stops")]
    public static partial void PrimaryGone(ILogger logger, int index);

    [LoggerMessage(EventId = WorkerEventIds.ControlChannelFailed, Level = LogLevel.Warning, Message = "Worker {Index}: the control channel failed, so the primary is gone or broken; the worker stops")]
    public static partial void ControlChannelFailed(ILogger logger, int index, Exception exception);

    [LoggerMessage(EventId = WorkerEventIds.ControlChannelClosedWhileStopping, Level = LogLevel.Debug, Message = "Worker {Index}: the control channel closed while the worker was stopping")]
    public static partial void ControlChannelClosedWhileStopping(ILogger logger, int index, Exception? exception);

    [LoggerMessage(EventId = WorkerEventIds.UnexpectedControlMessage, Level = LogLevel.Warning, Message = "Worker {Index} ignored an unexpected {MessageType} from the primary")]
    public static partial void UnexpectedControlMessage(ILogger logger, int index, string messageType);

    [LoggerMessage(EventId = WorkerEventIds.StoppingNotSent, Level = LogLevel.Debug, Message = "Worker {Index} could not tell the primary it is stopping")]
    public static partial void StoppingNotSent(ILogger logger, int index, Exception exception);

    [LoggerMessage(EventId = WorkerEventIds.StaleSocketDeleted, Level = LogLevel.Debug, Message = "Deleted the stale socket file {Path} before binding to it")]
    public static partial void StaleSocketDeleted(ILogger logger, string path);

    [LoggerMessage(EventId = WorkerEventIds.ProxyHeaderRejected, Level = LogLevel.Debug, Message = "Closed connection {ConnectionId} on the private endpoint: no valid PROXY v2 header ({Reason})")]
    public static partial void ProxyHeaderRejected(ILogger logger, string connectionId, string reason);

    [LoggerMessage(EventId = WorkerEventIds.ProxyHeaderSecretRejected, Level = LogLevel.Warning, Message = "Closed connection {ConnectionId} from {Peer} on the private endpoint: its PROXY v2 header {Reason}, so it is not from the primary")]
    public static partial void ProxyHeaderSecretRejected(ILogger logger, string connectionId, string peer, string reason);

    [LoggerMessage(EventId = WorkerEventIds.HandoffListening, Level = LogLevel.Debug, Message = "Receiving connections from the primary on the handoff socket {Path}")]
    public static partial void HandoffListening(ILogger logger, string path);

    [LoggerMessage(EventId = WorkerEventIds.HandoffChannelRejected, Level = LogLevel.Warning, Message = "Closed a handoff channel that did not start with this worker's secret ({Reason}), so it is not from the primary ({Occurrences} such channels since the last report)")]
    public static partial void HandoffChannelRejected(ILogger logger, string reason, long occurrences);

    [LoggerMessage(EventId = WorkerEventIds.HandoffChannelBroken, Level = LogLevel.Warning, Message = "Closed a handoff channel that broke the protocol: {Reason} ({Occurrences} failed channels since the last report)")]
    public static partial void HandoffChannelBroken(ILogger logger, string reason, long occurrences);

    [LoggerMessage(EventId = WorkerEventIds.HandoffChannelAcceptFailed, Level = LogLevel.Warning, Message = "Accepting a handoff channel failed with errno {Errno} ({Occurrences} failures since the last report); accepting again in {BackoffMs} ms")]
    public static partial void HandoffChannelAcceptFailed(ILogger logger, int errno, long occurrences, long backoffMs);

    [LoggerMessage(EventId = WorkerEventIds.HandoffConnectionsReturned, Level = LogLevel.Debug, Message = "Gave {Count} connections that arrived while stopping back to the primary")]
    public static partial void HandoffConnectionsReturned(ILogger logger, int count);

    [LoggerMessage(EventId = WorkerEventIds.HandoffReportsDropped, Level = LogLevel.Debug, Message = "Could not report {Count} closed connections: the primary's handoff channel is gone")]
    public static partial void HandoffReportsDropped(ILogger logger, int count);

    [LoggerMessage(EventId = WorkerEventIds.HandoffChannelFailed, Level = LogLevel.Warning, Message = "Closed a handoff channel that failed: {Reason} The primary settles its {Open} open connections, which are served on, and opens a new channel ({Occurrences} failed channels since the last report)")]
    public static partial void HandoffChannelFailed(ILogger logger, string reason, int open, long occurrences);

    [LoggerMessage(EventId = WorkerEventIds.HandoffListenerFailed, Level = LogLevel.Critical, Message = "The handoff socket {Path} can accept no more channels (errno {Errno}); the worker stops so that the primary replaces it")]
    public static partial void HandoffListenerFailed(ILogger logger, string path, int errno);

    [LoggerMessage(EventId = WorkerEventIds.HandoffReconciliationNotSent, Level = LogLevel.Debug, Message = "Could not list {Count} open connections to the primary: its handoff channel is gone or full")]
    public static partial void HandoffReconciliationNotSent(ILogger logger, int count);

    [LoggerMessage(EventId = WorkerEventIds.HandoffChannelEnded, Level = LogLevel.Debug, Message = "The primary closed a handoff channel; its {Open} open connections are served on, their ends unreported")]
    public static partial void HandoffChannelEnded(ILogger logger, int open);

    [LoggerMessage(EventId = WorkerEventIds.HandoffNearDescriptorLimit, Level = LogLevel.Warning, Message = "The worker is near its descriptor limit ({Limit}, {Open} handed-off connections open): it gives new connections back to the primary until {Reserve} descriptors are free ({Occurrences} given back since the last report)")]
    public static partial void HandoffNearDescriptorLimit(ILogger logger, int limit, int open, int reserve, long occurrences);
}
