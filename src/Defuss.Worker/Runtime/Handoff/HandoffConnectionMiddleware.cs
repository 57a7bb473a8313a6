using Microsoft.AspNetCore.Connections;

namespace Defuss.Worker.Runtime.Handoff;

/// <summary>
/// Kestrel connection middleware on the handoff endpoint: the task <paramref name="next"/> returns is the connection's
/// lifetime, so its end, however it ends, is reported to the primary as soon as the app is done with it. A connection
/// Kestrel refuses never gets here: its disposal reports it (<see cref="HandoffConnection"/>), and only the first report counts.
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
