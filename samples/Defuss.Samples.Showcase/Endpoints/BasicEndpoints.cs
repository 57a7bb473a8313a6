using System.Globalization;
using Defuss.Samples.Showcase.Json;

namespace Defuss.Samples.Showcase.Endpoints;

internal static class BasicEndpoints
{
    private static readonly string ProcessIdText = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    // Set by the primary for each worker it starts; absent when the app runs as a plain process.
    private static readonly int? WorkerIndex =
        int.TryParse(Environment.GetEnvironmentVariable("DEFUSS_WORKER_INDEX"), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : null;

    /// <summary><c>GET /</c>, <c>GET /health</c>, <c>GET /pid</c> and <c>GET /client</c>.</summary>
    public static IEndpointRouteBuilder MapBasicEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => "hello");
        endpoints.MapGet("/health", () => new HealthResponse(Ok: true, Environment.ProcessId, WorkerIndex));
        endpoints.MapGet("/pid", () => ProcessIdText);
        // Behind the front door this must still be the real client, carried over by PROXY v2 or by the handed-off socket.
        endpoints.MapGet("/client", (HttpContext context) =>
            new ClientResponse(context.Connection.RemoteIpAddress?.ToString(), context.Connection.RemotePort));
        return endpoints;
    }
}
