using System.Globalization;
using System.Text.RegularExpressions;

namespace Defuss.Tests.Deploy;

/// <summary>A systemd unit file read as systemd reads it: sections of <c>Key=value</c> lines, comments dropped, continued lines joined.</summary>
internal sealed partial class SystemdUnit
{
    private readonly Dictionary<string, List<(string Key, string Value)>> _sections;

    private SystemdUnit(Dictionary<string, List<(string Key, string Value)>> sections) => _sections = sections;

    public static SystemdUnit Load(string path) => Parse(File.ReadAllText(path));

    public static SystemdUnit Parse(string text)
    {
        var sections = new Dictionary<string, List<(string Key, string Value)>>(StringComparer.Ordinal);
        List<(string Key, string Value)>? section = null;
        var pending = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line[0] is '#' or ';'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            line = pending + line;
            pending = "";
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = [];
                sections.Add(line[1..^1], section);
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (section is null || equals <= 0)
            {
                throw new FormatException($"Not a section header or a Key=value line: '{line}'");
            }

            section.Add((line[..equals].Trim(), line[(equals + 1)..].Trim()));
        }

        return new SystemdUnit(sections);
    }

    /// <summary>The value of the last <paramref name="key"/> in <paramref name="section"/> (the one systemd uses), or null.</summary>
    public string? Value(string section, string key) =>
        _sections.TryGetValue(section, out var entries) ? entries.LastOrDefault(e => e.Key == key).Value : null;

    /// <summary>
    /// The variables that every <c>Environment=</c> line of <c>[Service]</c> sets: blank-separated <c>NAME=value</c>
    /// assignments, each possibly in double quotes.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, value) in _sections.GetValueOrDefault("Service", []).Where(e => e.Key == "Environment"))
        {
            foreach (var assignment in Dockerfile.Words(value))
            {
                var parts = assignment.Split('=', 2);
                variables[parts[0]] = parts.Length == 2 ? parts[1] : "";
            }
        }

        return variables;
    }

    /// <summary>A systemd time span: a bare number of seconds, or a sum such as <c>1min 30s</c> or <c>500ms</c>.</summary>
    public static TimeSpan ParseTimeSpan(string text)
    {
        if (BareSeconds().IsMatch(text))
        {
            return TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));
        }

        if (TimeSpanPart().Replace(text, "").Trim().Length > 0 || !TimeSpanPart().IsMatch(text))
        {
            throw new FormatException($"Not a systemd time span: '{text}'");
        }

        var total = TimeSpan.Zero;
        foreach (Match part in TimeSpanPart().Matches(text))
        {
            var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "us" or "usec" => TimeSpan.FromMicroseconds(amount),
                "ms" or "msec" => TimeSpan.FromMilliseconds(amount),
                "s" or "sec" or "second" or "seconds" => TimeSpan.FromSeconds(amount),
                "m" or "min" or "minute" or "minutes" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromHours(amount),
            };
        }

        return total;
    }

    [GeneratedRegex(@"^\d+(?:\.\d+)?$")]
    private static partial Regex BareSeconds();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*(usec|us|msec|ms|seconds|second|sec|s|minutes|minute|min|m|hours|hour|hr|h)(?![a-zA-Z])")]
    private static partial Regex TimeSpanPart();
}
