using System.Text.RegularExpressions;
using Defuss.Bench.Load.Processes;

namespace Defuss.Bench.Load.Topologies;

/// <summary>Starts the Showcase as one plain Kestrel process or as a Defuss primary, on 127.0.0.1, with quiet logs.</summary>
internal static partial class Showcase
{
    /// <summary>
    /// Warnings only (the Showcase's Serilog honours these), except Defuss's own lines, which are few and tell when every
    /// worker is ready.
    /// </summary>
    private static readonly string[] QuietLogs =
    [
        "--Serilog:MinimumLevel:Default=Warning",
        "--Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime=Warning",
    ];

    /// <summary>The line a Defuss primary writes when a worker is ready.</summary>
    [GeneratedRegex(@"Worker \d+ ready: pid \d+")]
    public static partial Regex WorkerReady();

    /// <summary>The Showcase as one plain Kestrel process on <paramref name="port"/>.</summary>
    public static ChildProcess StartPlain(string name, int port) =>
        Start(name, ["--Showcase:Plain=true", "--urls", $"http://127.0.0.1:{port}"]);

    /// <summary>The Showcase as a Defuss primary on <paramref name="port"/> with <paramref name="workers"/> workers.</summary>
    /// <param name="delivery"><c>Handoff</c> or <c>Proxy</c>; null for the default.</param>
    public static ChildProcess StartPrimary(string name, int port, int workers, string? delivery, params string[] settings) =>
        Start(name, [
            "--Defuss:Host=127.0.0.1",
            $"--Defuss:Port={port}",
            $"--Defuss:Workers={workers}",
            .. (delivery is null ? Array.Empty<string>() : new[] { $"--Defuss:Delivery={delivery}" }),
            .. settings,
        ]);

    /// <summary>Waits until a primary started by <see cref="StartPrimary"/> has every worker ready and answers 200.</summary>
    public static async Task WaitForPrimaryAsync(ChildProcess primary, Uri baseAddress, int workers, CancellationToken cancellationToken)
    {
        await primary.WaitForLinesAsync(WorkerReady(), workers, HttpProbe.StartTimeout, cancellationToken);
        await HttpProbe.WaitForOkAsync(baseAddress, primary, HttpProbe.StartTimeout, cancellationToken);
    }

    private static ChildProcess Start(string name, IEnumerable<string> settings)
    {
        // The caller's own Defuss settings (a Defuss__Workers in the shell) would change what is measured.
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("DEFUSS_", StringComparison.Ordinal) || k.StartsWith("Defuss__", StringComparison.Ordinal))
            .ToDictionary(k => k, _ => (string?)null);
        return ChildProcess.Start(name, "dotnet", [BenchEnvironment.ShowcasePath, .. settings, .. QuietLogs], environment: environment);
    }
}
