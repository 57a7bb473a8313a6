using System.Security.Cryptography;
using Defuss.Samples.Showcase.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Defuss.Samples.Showcase.Endpoints;

internal static class UploadEndpoints
{
    /// <summary><c>POST /upload</c>: streams the body of any size through SHA-256 and reports its length and hash.</summary>
    public static IEndpointRouteBuilder MapUploadEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/upload", UploadAsync);
        return endpoints;
    }

    private static async Task UploadAsync(HttpContext context)
    {
        // Kestrel caps bodies at 30 MB by default; this endpoint hashes as it reads, so it holds no body in memory.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var reader = context.Request.BodyReader;
        long received = 0;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            foreach (var segment in result.Buffer)
            {
                hash.AppendData(segment.Span);
            }

            received += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        var response = new UploadResponse(received, Convert.ToHexStringLower(hash.GetHashAndReset()));
        await context.Response.WriteAsJsonAsync(response, ShowcaseJsonContext.Default.UploadResponse, cancellationToken: context.RequestAborted);
    }
}
