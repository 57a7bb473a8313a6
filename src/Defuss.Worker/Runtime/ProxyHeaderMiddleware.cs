using System.Globalization;
using System.Net;
using Defuss.Worker.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime;

/// <summary>
/// Kestrel connection middleware on the private endpoint: reads the primary's PROXY v2 header before anything else and
/// makes its client the connection's remote endpoint. A connection without a valid header within
/// <see cref="Timeout"/> is closed, since only the primary connects to the private endpoint.
/// </summary>
internal sealed class ProxyHeaderMiddleware(ConnectionDelegate next, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>How long the header may take: the primary sends it in its first write, so this only bounds a stray peer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var (client, error) = await ReadHeaderAsync(connection);
        if (error is not null)
        {
            WorkerLog.ProxyHeaderRejected(logger, connection.ConnectionId, error);
            return;
        }

        if (client is not null)
        {
            connection.RemoteEndPoint = client;
            if (connection.Features.Get<IHttpConnectionFeature>() is { } feature)
            {
                feature.RemoteIpAddress = client.Address;
                feature.RemotePort = client.Port;
            }
        }

        await next(connection);
    }

    private async Task<(IPEndPoint? Client, string? Error)> ReadHeaderAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = new CancellationTokenSource(Timeout, timeProvider);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                if (ProxyProtocolV2.TryRead(buffer, out var consumed, out var client, out var error))
                {
                    input.AdvanceTo(buffer.GetPosition(consumed));
                    return (client, null);
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (error is not null)
                {
                    return (null, error);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return (null, string.Create(CultureInfo.InvariantCulture, $"the connection ended after {buffer.Length} bytes of the header"));
                }
            }
        }
        catch (OperationCanceledException)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"no complete header within {Timeout.TotalMilliseconds} ms"));
        }
        catch (Exception exception) when (exception is IOException or ConnectionResetException or ConnectionAbortedException)
        {
            return (null, exception.GetType().Name);
        }
    }
}
