using Defuss.Bench.Load.Scenarios;
using Defuss.Bench.Load.Topologies;

namespace Defuss.Bench.Load.Options;

/// <summary>The load command's help.</summary>
internal static class LoadUsage
{
    public static string Text(int processorCount)
    {
        var scenarios = string.Join('\n', ScenarioCatalog.All.Select(s => $"  {s.Name,-18}{s.Request}"));
        var topologies = string.Join('\n', TopologyCatalog.All.Select(t => $"  {t,-18}{TopologyCatalog.Describe(t, processorCount)}"));
        return $"""
            Defuss load benchmark: every scenario on every topology, round by round, on loopback.

              dotnet run -c Release --project bench/Defuss.Bench -- [load] [options]
              dotnet run -c Release --project bench/Defuss.Bench -- micro [BenchmarkDotNet options]

            Options (--name=value or --name value):
              {LoadOptionsParser.Scenarios} a,b,...     scenarios to run, or all (default: all)
              {LoadOptionsParser.Topologies} a,b,...    topologies to run, or all (default: all; those whose tool is missing are skipped)
              {LoadOptionsParser.Duration} N            seconds per run (default: {LoadOptions.DefaultDurationSeconds})
              {LoadOptionsParser.Connections} N         concurrent connections (default: {LoadOptions.DefaultConnections})
              {LoadOptionsParser.Workers} N             workers, or backends behind nginx, HAProxy and Node (default: the processor count, {processorCount})
              {LoadOptionsParser.Rounds} N              rounds; the reports show medians (default: {LoadOptions.DefaultRounds})
              {LoadOptionsParser.Warmup} N              seconds of unmeasured load per scenario and topology first (default: {LoadOptions.DefaultWarmupSeconds})
              {LoadOptionsParser.Threads} N             wrk threads (default: {LoadOptions.DefaultThreads})
              {LoadOptionsParser.Out} DIR               where latest.md, latest.json and latest.svg go (default: bench/results)
              {LoadOptionsParser.SkipLifecycle}        do not measure a primary's start, respawn and memory

            Scenarios:
            {scenarios}

            Topologies:
            {topologies}

            Exit codes: 0 done, 1 the run failed, 2 bad options, 130 interrupted.
            """;
    }
}
