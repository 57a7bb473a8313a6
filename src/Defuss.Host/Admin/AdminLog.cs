using Microsoft.Extensions.Logging;

namespace Defuss.Admin;

/// <summary>The admin endpoint's log lines.</summary>
internal static partial class AdminLog
{
    [LoggerMessage(EventId = HostEventIds.AdminListening, Level = LogLevel.Information, Message = "Admin endpoint on {Urls} (status page at /, /status, /metrics, /healthz, /readyz, /logs, POST /reload, POST /scale, POST /upgrade); the defuss tool finds this primary at {Socket}")]
    public static partial void Listening(ILogger logger, string urls, string socket);

    [LoggerMessage(EventId = HostEventIds.AdminSocketFailed, Level = LogLevel.Warning, Message = "The local admin socket {Socket} could not be opened, so the defuss tool will not find this primary without --admin: {Reason}")]
    public static partial void SocketFailed(ILogger logger, string socket, string reason);

    [LoggerMessage(EventId = HostEventIds.AdminRefused, Level = LogLevel.Warning, Message = "Admin endpoint refused {Method} {Path} from {Client}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, string? client, string reason);

    [LoggerMessage(EventId = HostEventIds.AdminReload, Level = LogLevel.Information, Message = "Rolling restart asked for through the admin endpoint")]
    public static partial void Reload(ILogger logger);

    [LoggerMessage(EventId = HostEventIds.AdminScale, Level = LogLevel.Information, Message = "Resize to {Workers} workers asked for through the admin endpoint")]
    public static partial void Scale(ILogger logger, int workers);

    [LoggerMessage(EventId = HostEventIds.AdminUpgrade, Level = LogLevel.Information, Message = "Hand-over to a new primary asked for through the admin endpoint")]
    public static partial void Upgrade(ILogger logger);

    [LoggerMessage(EventId = HostEventIds.OtlpExport, Level = LogLevel.Information, Message = "Pushing the Defuss metrics by OTLP to {Endpoint} (OTEL_EXPORTER_OTLP_ENDPOINT)")]
    public static partial void Otlp(ILogger logger, string endpoint);
}
