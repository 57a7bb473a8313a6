using System.Diagnostics;
using System.Globalization;

namespace Defuss.Samples.Showcase.Endpoints;

/// <summary>Endpoints that let tests and benchmarks make a worker misbehave: flood its output, leave a child behind.</summary>
internal static class ChaosEndpoints
{
    /// <summary>The setting that arms the chaos endpoints. Off unless set: a sample must not let any client flood its logs.</summary>
    public const string AllowChaosSetting = "Showcase:AllowChaos";

    /// <summary>The most bytes one <c>POST /noise</c> writes: 1 GiB.</summary>
    public const long MaxNoiseBytes = 1L << 30;

    /// <summary>
    /// <c>POST /noise?bytes=N&amp;newline=true|false&amp;stream=stderr|stdout</c>: writes N bytes (default 1 MiB, at most
    /// 1 GiB) to the process's standard error (default) or output, as 100-byte lines or, with <c>newline=false</c>, as one
    /// line with no newline at all; then answers how much it wrote. <c>POST /spawn?seconds=N</c>: starts
    /// <c>sleep N</c> (default 300) as a child of this process, and answers its pid. Both 403 unless armed.
    /// </summary>
    public static IEndpointRouteBuilder MapChaosEndpoints(this IEndpointRouteBuilder endpoints)
    {
        if (!endpoints.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<bool>(AllowChaosSetting))
        {
            endpoints.MapPost("/noise", Disabled);
            endpoints.MapPost("/spawn", Disabled);
            return endpoints;
        }

        endpoints.MapPost("/noise", async (long? bytes, bool? newline, string? stream, CancellationToken cancellationToken) =>
        {
            var size = Math.Clamp(bytes ?? 1024 * 1024, 0, MaxNoiseBytes);
            var toOutput = string.Equals(stream, "stdout", StringComparison.OrdinalIgnoreCase);
            if (!toOutput && stream is not null && !string.Equals(stream, "stderr", StringComparison.OrdinalIgnoreCase))
            {
                return Results.Text($"stream must be stderr or stdout, not '{stream}'\n", statusCode: StatusCodes.Status400BadRequest);
            }

            await using var target = toOutput ? Console.OpenStandardOutput() : Console.OpenStandardError();
            var chunk = Chunk(newline ?? true);
            for (var left = size; left > 0; left -= chunk.Length)
            {
                await target.WriteAsync(chunk.AsMemory(0, (int)Math.Min(left, chunk.Length)), cancellationToken);
            }

            return Results.Text(string.Create(CultureInfo.InvariantCulture, $"wrote {size} bytes to {(toOutput ? "stdout" : "stderr")}\n"));
        });

        endpoints.MapPost("/spawn", (int? seconds) =>
        {
            using var child = Process.Start(new ProcessStartInfo("sleep", (seconds ?? 300).ToString(CultureInfo.InvariantCulture)) { UseShellExecute = false })!;
            return Results.Text(child.Id.ToString(CultureInfo.InvariantCulture));
        });
        return endpoints;
    }

    private static IResult Disabled(HttpContext context) => Results.Text(
        $"{context.Request.Path} is disabled; set {AllowChaosSetting}=true to arm it\n", statusCode: StatusCodes.Status403Forbidden);

    /// <summary>64 KiB of output: 100-byte lines, or 'x' with no newline.</summary>
    private static byte[] Chunk(bool newline)
    {
        var chunk = new byte[64 * 1000];
        for (var i = 0; i < chunk.Length; i++)
        {
            chunk[i] = newline && i % 100 == 99 ? (byte)'\n' : (byte)'x';
        }

        return chunk;
    }
}
