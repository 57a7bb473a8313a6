using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Defuss.Control;

internal static partial class ControlLog
{
    [LoggerMessage(EventId = HostEventIds.ControlRejected, Level = LogLevel.Warning, Message = "Closed a control connection: {Reason}")]
    public static partial void Rejected(ILogger logger, string reason);

    [LoggerMessage(EventId = HostEventIds.ControlAcceptFailed, Level = LogLevel.Warning, Message = "Accepting a control connection failed: {Error}")]
    public static partial void AcceptFailed(ILogger logger, SocketError error);
}
