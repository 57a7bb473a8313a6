using Defuss.Bench.Load.Topologies;

namespace Defuss.Bench.Load.Results;

/// <summary>Turns the rounds of every scenario and topology into the rows the reports show.</summary>
internal static class Summaries
{
    /// <param name="rounds">Every round measured, keyed by scenario and topology.</param>
    /// <param name="scenarios">The scenarios in report order.</param>
    /// <param name="topologies">The topologies in report order.</param>
    public static IReadOnlyList<ResultRow> Build(
        IReadOnlyDictionary<(string Scenario, string Topology), IReadOnlyList<RoundResult>> rounds, IReadOnlyList<string> scenarios, IReadOnlyList<string> topologies)
    {
        var rows = new List<ResultRow>();
        foreach (var scenario in scenarios)
        {
            var medians = new Dictionary<string, double>();
            foreach (var topology in topologies)
            {
                if (rounds.TryGetValue((scenario, topology), out var measured) && measured.Count > 0)
                {
                    medians[topology] = Stats.Median(measured.Select(r => r.RequestsPerSecond));
                }
            }

            double? plain = medians.TryGetValue(TopologyCatalog.Plain, out var p) ? p : null;
            double? nginx = medians.TryGetValue(TopologyCatalog.Nginx, out var n) ? n : null;
            foreach (var topology in topologies.Where(medians.ContainsKey))
            {
                var measured = rounds[(scenario, topology)];
                var rss = Stats.MedianOrNull(measured.Select(r => (double?)r.FrontRssBytes));
                rows.Add(new ResultRow(
                    scenario,
                    topology,
                    RequestsPerSecond: Math.Round(medians[topology], 1),
                    P50Ms: Math.Round(Stats.Median(measured.Select(r => r.P50Ms)), 3),
                    P99Ms: Math.Round(Stats.Median(measured.Select(r => r.P99Ms)), 3),
                    Errors: measured.Sum(r => r.Errors.Total),
                    RatioToPlain: Round(Stats.Ratio(medians[topology], plain), 3),
                    RatioToNginx: Round(Stats.Ratio(medians[topology], nginx), 3),
                    FrontCpuUsPerRequest: Round(Stats.MedianOrNull(measured.Select(r => r.FrontCpuUsPerRequest)), 2),
                    FrontRssBytes: rss is { } bytes ? (long)bytes : null,
                    Rounds: measured));
            }
        }

        return rows;
    }

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits) : null;
}
