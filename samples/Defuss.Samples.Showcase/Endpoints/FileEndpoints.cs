using System.Text;

namespace Defuss.Samples.Showcase.Endpoints;

internal static class FileEndpoints
{
    public const string DownloadFileName = "defuss.txt";

    private const string TextContentType = "text/plain; charset=utf-8";

    // Made in memory, so the sample needs no file next to it and every worker serves the same bytes.
    private static readonly byte[] Content = Encoding.UTF8.GetBytes(
        "Defuss sample file.\n" +
        "Served from memory by the Showcase: GET /file/inline shows it, GET /file/download saves it as defuss.txt.\n");

    /// <summary><c>GET /file/inline</c> (cacheable for an hour) and <c>GET /file/download</c> (as an attachment).</summary>
    public static IEndpointRouteBuilder MapFileEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/file/inline", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Bytes(Content, TextContentType);
        });
        endpoints.MapGet("/file/download", (HttpContext context) =>
        {
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{DownloadFileName}\"";
            return Results.Bytes(Content, TextContentType);
        });
        return endpoints;
    }
}
