using System.Globalization;
using Defuss.Bench.Load.Scenarios;
using Defuss.Bench.Load.Topologies;

namespace Defuss.Bench.Load.Options;

/// <summary>What the command line asked for: options, or every error in it, or the usage.</summary>
internal sealed record ParseResult(LoadOptions? Options, IReadOnlyList<string> Errors, bool HelpRequested);

/// <summary>
/// Reads the load command's arguments (<c>--name=value</c> or <c>--name value</c>), and reports every bad one at once,
/// each naming the option and the value.
/// </summary>
internal static class LoadOptionsParser
{
    public const string Scenarios = "--scenarios";
    public const string Topologies = "--topologies";
    public const string Duration = "--duration";
    public const string Connections = "--connections";
    public const string Workers = "--workers";
    public const string Rounds = "--rounds";
    public const string Warmup = "--warmup";
    public const string Threads = "--threads";
    public const string Out = "--out";
    public const string SkipLifecycle = "--skip-lifecycle";

    private const string All = "all";

    private static readonly string[] ValueOptions = [Scenarios, Topologies, Duration, Connections, Workers, Rounds, Warmup, Threads, Out];

    public static ParseResult Parse(IReadOnlyList<string> args, int processorCount)
    {
        var errors = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var skipLifecycle = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "help")
            {
                return new ParseResult(null, [], HelpRequested: true);
            }

            if (arg == SkipLifecycle)
            {
                skipLifecycle = true;
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"unexpected argument '{arg}' (options start with --; see --help)");
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            if (!ValueOptions.Contains(name))
            {
                errors.Add(name == "--filter"
                    ? "unknown option '--filter': it belongs to the micro benchmarks (micro --filter '*Ask*')"
                    : $"unknown option '{name}' (see --help)");
                // Its value, if it has one, is not a second mistake.
                if (equals < 0 && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    i++;
                }

                continue;
            }

            string value;
            if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                errors.Add($"{name} needs a value");
                continue;
            }

            if (!values.TryAdd(name, value))
            {
                errors.Add($"{name} is given twice ('{values[name]}' and '{value}')");
            }
        }

        var options = new LoadOptions
        {
            Scenarios = values.TryGetValue(Scenarios, out var scenarios) ? ParseScenarios(scenarios, errors) : ScenarioCatalog.All,
            Topologies = values.TryGetValue(Topologies, out var topologies) ? ParseTopologies(topologies, errors) : TopologyCatalog.All,
            DurationSeconds = Whole(values, Duration, LoadOptions.DefaultDurationSeconds, 1, 3600, "seconds", errors, allowSecondsSuffix: true),
            Connections = Whole(values, Connections, LoadOptions.DefaultConnections, 1, 10_000, "connections", errors),
            Workers = Whole(values, Workers, Math.Max(1, processorCount), 1, 256, "workers", errors),
            Rounds = Whole(values, Rounds, LoadOptions.DefaultRounds, 1, 100, "rounds", errors),
            WarmupSeconds = Whole(values, Warmup, LoadOptions.DefaultWarmupSeconds, 0, 600, "seconds", errors, allowSecondsSuffix: true),
            Threads = Whole(values, Threads, LoadOptions.DefaultThreads, 1, 256, "threads", errors),
            OutputDirectory = values.TryGetValue(Out, out var output) ? ParseDirectory(output, errors) : null,
            Lifecycle = !skipLifecycle,
        };

        // wrk gives each thread its share of the connections: fewer connections than threads leaves a thread with none.
        if (options.Connections < options.Threads && !errors.Any(e => e.StartsWith(Connections, StringComparison.Ordinal) || e.StartsWith(Threads, StringComparison.Ordinal)))
        {
            errors.Add($"{Connections} ({options.Connections}) must be at least {Threads} ({options.Threads}): wrk gives every thread a share of the connections");
        }

        return errors.Count > 0 ? new ParseResult(null, errors, false) : new ParseResult(options, [], false);
    }

    private static List<Scenario> ParseScenarios(string value, List<string> errors)
    {
        var chosen = new List<Scenario>();
        foreach (var name in Names(value, Scenarios, errors))
        {
            if (name == All)
            {
                chosen.AddRange(ScenarioCatalog.All);
            }
            else if (ScenarioCatalog.Find(name) is { } scenario)
            {
                chosen.Add(scenario);
            }
            else
            {
                errors.Add($"{Scenarios}: unknown scenario '{name}' (expected {string.Join(", ", ScenarioCatalog.All.Select(s => s.Name))} or {All})");
            }
        }

        // Run and reported in the catalogue's order, each once, whatever order the command line named them in.
        return ScenarioCatalog.All.Where(chosen.Contains).ToList();
    }

    private static List<string> ParseTopologies(string value, List<string> errors)
    {
        var chosen = new List<string>();
        foreach (var name in Names(value, Topologies, errors))
        {
            if (name == All)
            {
                chosen.AddRange(TopologyCatalog.All);
            }
            else if (TopologyCatalog.All.Contains(name))
            {
                chosen.Add(name);
            }
            else
            {
                errors.Add($"{Topologies}: unknown topology '{name}' (expected {string.Join(", ", TopologyCatalog.All)} or {All})");
            }
        }

        return TopologyCatalog.All.Where(chosen.Contains).ToList();
    }

    private static List<string> Names(string value, string option, List<string> errors)
    {
        var names = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => n.ToLowerInvariant()).ToList();
        if (names.Count == 0)
        {
            errors.Add($"{option}: '{value}' names nothing (a comma-separated list, or {All})");
        }

        return names;
    }

    private static int Whole(
        Dictionary<string, string> values, string option, int fallback, int min, int max, string unit, List<string> errors, bool allowSecondsSuffix = false)
    {
        if (!values.TryGetValue(option, out var text))
        {
            return fallback;
        }

        var digits = allowSecondsSuffix && text.EndsWith('s') ? text[..^1] : text;
        if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            return number;
        }

        errors.Add($"{option}: '{text}' is not a whole number of {unit} from {min} to {max}");
        return fallback;
    }

    private static string? ParseDirectory(string value, List<string> errors)
    {
        if (value.Trim().Length == 0)
        {
            errors.Add($"{Out}: '{value}' is not a directory");
            return null;
        }

        return Path.GetFullPath(value);
    }
}
