using System.Net;
using Defuss.Actors.Routing;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

/// <summary>The front door's log messages; event ids are listed in <see cref="HostEventIds"/>.</summary>
/// <remarks>A client that resets, sends garbage or goes silent is a normal end: debug level, never an error.</remarks>
internal static partial class FrontDoorLog
{
    [LoggerMessage(EventId = HostEventIds.FrontDoorListening, Level = LogLevel.Information, Message = "Front door listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = HostEventIds.FrontDoorStoppedAccepting, Level = LogLevel.Information, Message = "Front door on {EndPoint} stopped accepting connections; {Active} still open")]
    public static partial void StoppedAccepting(ILogger logger, IPEndPoint endPoint, int active);

    [LoggerMessage(EventId = HostEventIds.AcceptFailed, Level = LogLevel.Warning, Message = "Accepting a connection failed; accepting again in {DelayMs} ms")]
    public static partial void AcceptFailed(ILogger logger, double delayMs, Exception exception);

    [LoggerMessage(EventId = HostEventIds.ConnectionAccepted, Level = LogLevel.Debug, Message = "Connection {ConnectionId} accepted from {RemoteEndPoint}")]
    public static partial void ConnectionAccepted(ILogger logger, long connectionId, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = HostEventIds.ClientClosedBeforeRequest, Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed by the client before it sent anything")]
    public static partial void ClientClosedBeforeRequest(ILogger logger, long connectionId);

    [LoggerMessage(EventId = HostEventIds.RequestHeadSniffed, Level = LogLevel.Debug, Message = "Connection {ConnectionId}: {Request} ({Protocol}, {PrefixBytes} bytes read off the socket)")]
    public static partial void RequestHeadSniffed(ILogger logger, long connectionId, ParsedRequest request, RequestProtocol protocol, int prefixBytes);

    [LoggerMessage(EventId = HostEventIds.BackendChosen, Level = LogLevel.Debug, Message = "Connection {ConnectionId} goes to {BackendId} (attempt {Attempt})")]
    public static partial void BackendChosen(ILogger logger, long connectionId, string backendId, int attempt);

    [LoggerMessage(EventId = HostEventIds.BackendConnectFailed, Level = LogLevel.Warning, Message = "Connection {ConnectionId} could not reach {BackendId} at {BackendEndPoint}: {Reason} (attempt {Attempt})")]
    public static partial void BackendConnectFailed(ILogger logger, long connectionId, string backendId, EndPoint backendEndPoint, string reason, int attempt);

    [LoggerMessage(EventId = HostEventIds.ConnectAttemptsExhausted, Level = LogLevel.Warning, Message = "Connection {ConnectionId} could reach no backend in {Attempts} attempts")]
    public static partial void ConnectAttemptsExhausted(ILogger logger, long connectionId, int attempts);

    [LoggerMessage(EventId = HostEventIds.NoBackendAvailable, Level = LogLevel.Debug, Message = "Connection {ConnectionId} has no backend: {Action}")]
    public static partial void NoBackendAvailable(ILogger logger, long connectionId, string action);

    [LoggerMessage(EventId = HostEventIds.BackendSelectorFailed, Level = LogLevel.Warning, Message = "Choosing a backend for connection {ConnectionId} failed; it is treated as no backend")]
    public static partial void BackendSelectorFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = HostEventIds.ProxiedConnectionClosed, Level = LogLevel.Debug, Message = "Proxied connection to {BackendId} {Ending}: {BytesFromClient} bytes from the client, {BytesToClient} to it")]
    public static partial void ProxiedConnectionClosed(ILogger logger, string backendId, string ending, long bytesFromClient, long bytesToClient);

    [LoggerMessage(EventId = HostEventIds.ConnectionAborted, Level = LogLevel.Debug, Message = "Connection {ConnectionId} ended abruptly: {Reason}")]
    public static partial void ConnectionAborted(ILogger logger, long connectionId, string reason);

    [LoggerMessage(EventId = HostEventIds.ConnectionFailed, Level = LogLevel.Error, Message = "Connection {ConnectionId} failed unexpectedly")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(EventId = HostEventIds.AbortingConnections, Level = LogLevel.Warning, Message = "Aborting {Count} front door connections that are still open")]
    public static partial void AbortingConnections(ILogger logger, int count);

    [LoggerMessage(EventId = HostEventIds.HandoffChannelOpened, Level = LogLevel.Debug, Message = "Handoff channel to {Path} opened")]
    public static partial void HandoffChannelOpened(ILogger logger, string path);

    [LoggerMessage(EventId = HostEventIds.HandoffChannelClosed, Level = LogLevel.Debug, Message = "Handoff channel to {Path} closed")]
    public static partial void HandoffChannelClosed(ILogger logger, string path);

    [LoggerMessage(EventId = HostEventIds.ConnectionReturned, Level = LogLevel.Debug, Message = "Connection {ConnectionId} was given back by {BackendId} (stopping, or near its descriptor limit); routing it again")]
    public static partial void ConnectionReturned(ILogger logger, long connectionId, string backendId);

    [LoggerMessage(EventId = HostEventIds.HandedOffConnectionClosed, Level = LogLevel.Trace, Message = "Connection {ConnectionId}, handed to {BackendId}, has ended")]
    public static partial void HandedOffConnectionClosed(ILogger logger, long connectionId, string backendId);

    [LoggerMessage(EventId = HostEventIds.AcceptFailedErrno, Level = LogLevel.Warning, Message = "Accepting a connection failed with errno {Errno}; accepting again in {DelayMs} ms")]
    public static partial void AcceptFailed(ILogger logger, int errno, double delayMs);

    [LoggerMessage(EventId = HostEventIds.OverCapacity, Level = LogLevel.Warning, Message = "The front door holds Defuss:MaxConnections ({MaxConnections}) connections: new ones are turned away ({Rejected} so far)")]
    public static partial void OverCapacity(ILogger logger, int maxConnections, long rejected);

    [LoggerMessage(EventId = HostEventIds.ProxyIdleClosed, Level = LogLevel.Debug, Message = "Proxied connection to {BackendId} closed: no byte either way for Defuss:ProxyIdleTimeout ({Timeout})")]
    public static partial void ProxyIdleClosed(ILogger logger, string backendId, TimeSpan timeout);

    [LoggerMessage(EventId = HostEventIds.ProxyHalfCloseClosed, Level = LogLevel.Debug, Message = "Proxied connection to {BackendId} closed: one side ended and the other did not within Defuss:HalfCloseTimeout ({Timeout})")]
    public static partial void ProxyHalfCloseClosed(ILogger logger, string backendId, TimeSpan timeout);

    [LoggerMessage(EventId = HostEventIds.PrimaryShortOfResources, Level = LogLevel.Warning, Message = "Connection {ConnectionId} could not be delivered: the primary is short of resources ({Reason}); no worker is blamed, and an HTTP/1 client gets 503 ({Occurrences} such connections since the last report)")]
    public static partial void PrimaryShortOfResources(ILogger logger, long connectionId, string reason, long occurrences);

    [LoggerMessage(EventId = HostEventIds.FrontDoorLoopWorkFailed, Level = LogLevel.Error, Message = "Work on the front door's loop failed; the loop goes on")]
    public static partial void LoopWorkFailed(ILogger logger, Exception exception);
}
