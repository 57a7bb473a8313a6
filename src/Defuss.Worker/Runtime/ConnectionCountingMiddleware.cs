using Microsoft.AspNetCore.Connections;

namespace Defuss.Worker.Runtime;

/// <summary>
/// Kestrel connection middleware on the private endpoint: the task <paramref name="next"/> returns is the connection's
/// lifetime, so the count goes up before it and down when it ends, however it ends.
/// </summary>
internal sealed class ConnectionCountingMiddleware(ConnectionDelegate next, WorkerActivity activity)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        activity.ConnectionOpened();
        try
        {
            await next(connection);
        }
        finally
        {
            activity.ConnectionClosed();
        }
    }
}
