using System.Buffers;
using System.Text.Json;
using Defuss.Samples.Showcase.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Defuss.Samples.Showcase.Endpoints;

internal static class StreamingEndpoints
{
    public const int SseEventCount = 3;
    public const int MaxSlowMilliseconds = 60_000;
    public static readonly TimeSpan SseInterval = TimeSpan.FromMilliseconds(100);

    /// <summary><c>GET /sse</c> (three server-sent events, 100 ms apart) and <c>GET /slow?ms=N</c>.</summary>
    public static IEndpointRouteBuilder MapStreamingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/sse", ServerSentEventsAsync);
        endpoints.MapGet("/slow", async (int? ms, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var delay = Math.Clamp(ms ?? 0, 0, MaxSlowMilliseconds);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(delay), time, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The client went away: nobody is left to answer.
                return Results.Empty;
            }

            return Results.Text($"slow {delay}");
        });
        return endpoints;
    }

    private static async Task ServerSentEventsAsync(HttpContext context)
    {
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var cancellationToken = context.RequestAborted;
        // Each event must leave the process when it is written, not when a buffer fills or the response ends.
        context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";

        var body = context.Response.BodyWriter;
        try
        {
            for (var count = 1; count <= SseEventCount; count++)
            {
                if (count > 1)
                {
                    await Task.Delay(SseInterval, time, cancellationToken);
                }

                var json = JsonSerializer.SerializeToUtf8Bytes(
                    new SseEvent(count, time.GetUtcNow().ToUnixTimeMilliseconds()), ShowcaseJsonContext.Default.SseEvent);
                body.Write("data: "u8);
                body.Write(json);
                body.Write("\n\n"u8);
                await body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client disconnected mid-stream; that ends the stream, it is not a failure.
        }
    }
}
