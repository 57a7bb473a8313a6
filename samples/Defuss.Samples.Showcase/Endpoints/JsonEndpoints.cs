using System.Buffers;
using System.Text.Json;
using Defuss.Samples.Showcase.Json;

namespace Defuss.Samples.Showcase.Endpoints;

internal static class JsonEndpoints
{
    private const string JsonContentType = "application/json; charset=utf-8";

    /// <summary><c>GET /json/generate?size=small|medium|large</c>, <c>POST /json/echo</c> and <c>POST /json/transform</c>.</summary>
    public static IEndpointRouteBuilder MapJsonEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var json = endpoints.MapGroup("/json");
        json.MapGet("/generate", (string? size) => size?.ToUpperInvariant() switch
        {
            null or "" or "SMALL" => Results.Json(Payloads.Small, ShowcaseJsonContext.Default.SmallPayload),
            "MEDIUM" => Results.Json(Payloads.Medium, ShowcaseJsonContext.Default.MediumPayload),
            "LARGE" => Results.Json(Payloads.Large, ShowcaseJsonContext.Default.LargePayload),
            _ => Results.Json(
                new ErrorResponse($"size must be small, medium or large, not {size}"),
                ShowcaseJsonContext.Default.ErrorResponse,
                statusCode: StatusCodes.Status400BadRequest),
        });
        json.MapPost("/echo", EchoAsync);
        json.MapPost("/transform", TransformAsync);
        return endpoints;
    }

    // Answers with the very bytes it was sent, once they are known to be one valid JSON document.
    private static async Task EchoAsync(HttpContext context)
    {
        using var body = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
        if (!IsJson(body.Memory.Span, out var error))
        {
            await WriteBadRequestAsync(context, error);
            return;
        }

        context.Response.ContentType = JsonContentType;
        context.Response.ContentLength = body.Memory.Length;
        await context.Response.Body.WriteAsync(body.Memory, context.RequestAborted);
    }

    private static async Task TransformAsync(HttpContext context)
    {
        using var body = await RequestBody.ReadAsync(context.Request, context.RequestAborted);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Memory);
        }
        catch (JsonException ex)
        {
            await WriteBadRequestAsync(context, ex.Message);
            return;
        }

        using (document)
        {
            var output = new ArrayBufferWriter<byte>(body.Memory.Length + 256);
            using (var writer = new Utf8JsonWriter(output))
            {
                JsonTransform.Write(document.RootElement, writer);
            }

            context.Response.ContentType = JsonContentType;
            context.Response.ContentLength = output.WrittenCount;
            await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
        }
    }

    private static bool IsJson(ReadOnlySpan<byte> utf8, out string error)
    {
        try
        {
            // With isFinalBlock the reader also rejects empty input and anything after the root value.
            var reader = new Utf8JsonReader(utf8, isFinalBlock: true, state: default);
            while (reader.Read())
            {
            }

            error = "";
            return true;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private static Task WriteBadRequestAsync(HttpContext context, string error)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsJsonAsync(
            new ErrorResponse($"the body is not valid JSON: {error}"), ShowcaseJsonContext.Default.ErrorResponse, cancellationToken: context.RequestAborted);
    }
}
