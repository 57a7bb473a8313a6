using System.Globalization;
using System.Net;
using Defuss.Worker.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime;

/// <summary>
/// Kestrel connection middleware on the private endpoint: reads the primary's PROXY v2 header before anything else and
/// makes its client the connection's remote endpoint. Only the primary connects here, so a connection is closed, and
/// never reaches the app, when it does not start with a valid header within <see cref="Timeout"/>, or when its header
/// does not carry this worker incarnation's <paramref name="secret"/> (another local process that reached a loopback
/// TCP endpoint and forged a client address).
/// </summary>
internal sealed class ProxyHeaderMiddleware(ConnectionDelegate next, ReadOnlyMemory<byte> secret, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>How long the header may take: the primary sends it in its first write, so this only bounds a stray peer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var (client, error, forged) = await ReadHeaderAsync(connection);
        if (forged)
        {
            WorkerLog.ProxyHeaderSecretRejected(logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString() ?? "an unnamed peer", error!);
            return;
        }

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

    /// <summary>The header's client (null for LOCAL), or why the connection is refused; <c>Forged</c> when only the secret is wrong.</summary>
    private async Task<(IPEndPoint? Client, string? Error, bool Forged)> ReadHeaderAsync(ConnectionContext connection)
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
                    var authentic = ProxyProtocolV2.CarriesSecret(buffer.Slice(0, consumed), secret.Span, out var rejection);
                    input.AdvanceTo(buffer.GetPosition(consumed));
                    return authentic ? (client, null, false) : (null, rejection, true);
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (error is not null)
                {
                    return (null, error, false);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return (null, string.Create(CultureInfo.InvariantCulture, $"the connection ended after {buffer.Length} bytes of the header"), false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"no complete header within {Timeout.TotalMilliseconds} ms"), false);
        }
        catch (Exception exception) when (exception is IOException or ConnectionResetException or ConnectionAbortedException)
        {
            return (null, exception.GetType().Name, false);
        }
    }
}
