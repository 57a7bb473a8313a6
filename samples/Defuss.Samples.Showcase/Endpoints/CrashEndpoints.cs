namespace Defuss.Samples.Showcase.Endpoints;

internal static class CrashEndpoints
{
    /// <summary>The exit code of a process that <c>POST /crash</c> ended, so tests can tell it from any other exit.</summary>
    public const int ExitCode = 13;

    /// <summary>The setting that arms <c>POST /crash</c>. Off unless set: a sample must not be killable by any client.</summary>
    public const string AllowCrashSetting = "Showcase:AllowCrash";

    /// <summary><c>POST /crash</c>: ends this process at once with exit code 13 when armed, otherwise 403.</summary>
    public static IEndpointRouteBuilder MapCrashEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var allowCrash = endpoints.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<bool>(AllowCrashSetting);
        if (allowCrash)
        {
            endpoints.MapPost("/crash", () =>
            {
                Console.Error.WriteLine($"showcase: POST /crash, process {Environment.ProcessId} exits with code {ExitCode}");
                Console.Error.Flush();
                Environment.Exit(ExitCode);
            });
        }
        else
        {
            endpoints.MapPost("/crash", () => Results.Text(
                $"POST /crash is disabled; set {AllowCrashSetting}=true to let it end the process\n",
                statusCode: StatusCodes.Status403Forbidden));
        }

        return endpoints;
    }
}
