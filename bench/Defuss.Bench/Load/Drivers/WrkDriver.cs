using System.Globalization;
using Defuss.Bench.Load.Processes;

namespace Defuss.Bench.Load.Drivers;

/// <summary>Runs wrk with a scenario's script against a topology for a while, and reads what it measured.</summary>
internal static class WrkDriver
{
    /// <summary>How long a request may wait for its answer before wrk counts a timeout.</summary>
    private const int RequestTimeoutSeconds = 5;

    /// <summary>How long wrk may take beyond its duration to end and report (its connections close, the script's done runs).</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(30);

    public static async Task<LoadSample> RunAsync(
        string wrk, string scriptPath, Uri baseAddress, int threads, int connections, int seconds, CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            $"-t{threads.ToString(CultureInfo.InvariantCulture)}",
            $"-c{connections.ToString(CultureInfo.InvariantCulture)}",
            $"-d{seconds.ToString(CultureInfo.InvariantCulture)}s",
            "--timeout", $"{RequestTimeoutSeconds.ToString(CultureInfo.InvariantCulture)}s",
            "-s", scriptPath,
            baseAddress.ToString(),
        ];
        var (exitCode, output) = await ChildProcess.RunAsync("wrk", wrk, arguments, TimeSpan.FromSeconds(seconds) + Slack, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"wrk {string.Join(' ', arguments)} exited with code {exitCode}:\n{output}");
        }

        return WrkOutput.Parse(output);
    }
}
