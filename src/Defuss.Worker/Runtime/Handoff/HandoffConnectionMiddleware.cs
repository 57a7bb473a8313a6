using Microsoft.AspNetCore.Connections;

namespace Defuss.Worker.Runtime.Handoff;

/// <summary>
/// Kestrel connection middleware on the handoff endpoint: the task <paramref name="next"/> returns is the connection's
/// lifetime, so its end, however it ends, is reported to the primary.
/// </summary>
internal sealed class HandoffConnectionMiddleware(ConnectionDelegate next)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Features.Get<HandoffConnectionFeature>()?.ReportClosed();
        }
    }
}
