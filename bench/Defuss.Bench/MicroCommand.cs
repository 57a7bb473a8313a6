using BenchmarkDotNet.Running;

namespace Defuss.Bench;

/// <summary><c>micro [BenchmarkDotNet arguments]</c>: the micro benchmarks in the folders that mirror <c>src/</c>.</summary>
internal static class MicroCommand
{
    public const string Name = "micro";

    public static int Run(string[] args)
    {
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroCommand).Assembly).Run(args).ToList();

        // BenchmarkDotNet reports a benchmark that failed to build or run, or a filter that matched nothing, and still
        // exits 0; the exit code is what fails the Bench target.
        var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        var matchedNothing = summaries.Count == 0 && args.Contains("--filter");
        return failed || matchedNothing ? 1 : 0;
    }
}
