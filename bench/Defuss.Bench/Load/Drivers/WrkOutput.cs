using System.Globalization;
using Defuss.Bench.Load.Scenarios;

namespace Defuss.Bench.Load.Drivers;

/// <summary>Reads the line that <see cref="WrkScript"/>'s <c>done</c> function prints at the end of wrk's output.</summary>
internal static class WrkOutput
{
    private static readonly string[] Fields = ["requests", "duration_us", "bytes", "connect", "read", "write", "status", "timeout", "p50_us", "p99_us"];

    /// <summary>The figures of one wrk run.</summary>
    /// <exception cref="FormatException">The output has no result line, or the line lacks a figure; the message quotes the output.</exception>
    public static LoadSample Parse(string output)
    {
        var line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith(WrkScript.ResultPrefix, StringComparison.Ordinal))
            ?? throw new FormatException($"wrk printed no '{WrkScript.ResultPrefix}' line (did the script load?):\n{output.Trim()}");

        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pair in line[WrkScript.ResultPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && long.TryParse(pair.AsSpan(equals + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                values[pair[..equals]] = value;
            }
        }

        var missing = Fields.Where(f => !values.ContainsKey(f)).ToArray();
        if (missing.Length > 0)
        {
            throw new FormatException($"wrk's result line lacks {string.Join(", ", missing)}: {line}");
        }

        return new LoadSample(
            Requests: values["requests"],
            Seconds: values["duration_us"] / 1e6,
            P50Ms: values["p50_us"] / 1e3,
            P99Ms: values["p99_us"] / 1e3,
            Errors: new ErrorCounts(values["connect"], values["read"], values["write"], values["timeout"], values["status"]));
    }
}
