using System.Globalization;
using System.Security;
using System.Text;
using Defuss.Bench.Load.Results;
using Defuss.Bench.Load.Topologies;

namespace Defuss.Bench.Load.Reports;

/// <summary>
/// The req/s of every scenario on every topology as horizontal bars, written by hand (no chart library). Scenarios
/// differ by orders of magnitude, so each group of bars is scaled to its own fastest topology, and every bar is labelled
/// with its rate and its ratio to plain Kestrel.
/// </summary>
internal static class SvgChart
{
    public const int Width = 960;
    public const int BarAreaWidth = 560;
    public const int BarX = Margin + LabelWidth;

    private const int Margin = 16;
    private const int LabelWidth = 80;
    private const int BarHeight = 18;
    private const int BarGap = 4;
    private const int GroupGap = 14;
    private const int GroupTitleHeight = 22;
    private const int HeaderHeight = 58;

    /// <summary>A colour per topology, Defuss's two in blues, the others apart.</summary>
    private static readonly Dictionary<string, string> Colours = new()
    {
        [TopologyCatalog.Plain] = "#6b7280",
        [TopologyCatalog.Handoff] = "#1d4ed8",
        [TopologyCatalog.Proxy] = "#60a5fa",
        [TopologyCatalog.Nginx] = "#15803d",
        [TopologyCatalog.Haproxy] = "#d97706",
        [TopologyCatalog.Node] = "#7e22ce",
    };

    public static string Write(BenchReport report)
    {
        var groups = report.Results.GroupBy(r => r.Scenario).ToList();
        var height = HeaderHeight + groups.Sum(g => GroupTitleHeight + (g.Count() * (BarHeight + BarGap)) + GroupGap) + Margin;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-labelledby=\"title\" ");
        svg.Append("font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" font-size=\"12\">\n");
        svg.Append("  <title id=\"title\">Defuss load benchmark: requests per second by scenario and topology</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <rect width=\"{Width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{Margin}\" y=\"24\" font-size=\"16\" font-weight=\"600\" fill=\"#111827\">Defuss load benchmark: requests per second</text>\n");
        var settings = report.Settings;
        var subtitle = $"medians of {settings.Rounds} round(s) of {settings.DurationSeconds} s, {settings.Connections} connections, {settings.Workers} workers; " +
            $"{report.Machine.Cores} cores; commit {report.Commit}; bars scaled within each scenario";
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{Margin}\" y=\"44\" fill=\"#4b5563\">{Escape(subtitle)}</text>\n");

        var y = HeaderHeight;
        foreach (var group in groups)
        {
            var request = report.Scenarios.FirstOrDefault(s => s.Name == group.Key)?.Request;
            var title = request is null ? group.Key : $"{group.Key}: {request}";
            svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{Margin}\" y=\"{y + 15}\" font-weight=\"600\" fill=\"#111827\">{Escape(title)}</text>\n");
            y += GroupTitleHeight;
            var fastest = group.Max(r => r.RequestsPerSecond);
            foreach (var row in group)
            {
                var width = BarWidth(row.RequestsPerSecond, fastest);
                var colour = Colours.GetValueOrDefault(row.Topology, "#9ca3af");
                var label = Units.Rate(row.RequestsPerSecond) + " req/s" + (row.RatioToPlain is { } ratio && row.Topology != TopologyCatalog.Plain ? $" · {Units.Ratio(ratio)} plain" : "")
                    + (row.Errors > 0 ? $" · {Units.Count(row.Errors)} errors" : "");
                svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{BarX - 8}\" y=\"{y + 13}\" text-anchor=\"end\" fill=\"#374151\">{Escape(row.Topology)}</text>\n");
                svg.Append(CultureInfo.InvariantCulture,
                    $"  <rect class=\"bar\" data-scenario=\"{Escape(row.Scenario)}\" data-topology=\"{Escape(row.Topology)}\" x=\"{BarX}\" y=\"{y}\" width=\"{width:0.#}\" height=\"{BarHeight}\" rx=\"2\" fill=\"{colour}\"/>\n");
                svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{BarX + width + 6:0.#}\" y=\"{y + 13}\" fill=\"#111827\">{Escape(label)}</text>\n");
                y += BarHeight + BarGap;
            }

            y += GroupGap;
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The bar's length: its share of the scenario's fastest, over the bar area; at least 1 so that a zero still shows.</summary>
    internal static double BarWidth(double rate, double fastest) => fastest > 0 ? Math.Max(1, Math.Round(rate / fastest * BarAreaWidth, 1)) : 1;

    private static string Escape(string text) => SecurityElement.Escape(text);
}
