using System.Text;

namespace Defuss.Upgrade;

/// <summary>
/// A file of environment variables in the format of systemd's <c>EnvironmentFile=</c>: <c>KEY=VALUE</c> lines, blank
/// lines and comments (<c>#</c> or <c>;</c> first), values optionally in single or double quotes (in double quotes,
/// <c>\"</c>, <c>\\</c> and <c>\$</c> escape), and a backslash at a line's end continuing it on the next. A hand-over reads it
/// afresh (<c>Defuss:EnvironmentFile</c>), so that the new primary gets its current variables.
/// </summary>
internal static class EnvironmentFile
{
    /// <summary>The largest file read: variables, not data.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Reads and parses <paramref name="path"/>; a file that cannot be read or parsed throws <see cref="FormatException"/> naming it (and the line).</summary>
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxBytes)
            {
                throw new FormatException($"Defuss:EnvironmentFile '{path}' is {info.Length} bytes; an environment file is at most {MaxBytes} bytes.");
            }

            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"Defuss:EnvironmentFile '{path}' cannot be read: {exception.Message}", exception);
        }

        return Parse(text, path);
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="path"/> names it in errors. A later line wins over an earlier one for the same key.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string text, string path)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = lines[i];

            // A backslash at the end joins the next line (as systemd does).
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + lines[++i];
            }

            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] is '#' or ';')
            {
                continue;
            }

            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new FormatException($"Defuss:EnvironmentFile '{path}' line {number}: expected KEY=VALUE, found '{Shorten(trimmed)}'.");
            }

            var key = trimmed[..equals].TrimEnd();
            if (!IsName(key))
            {
                throw new FormatException($"Defuss:EnvironmentFile '{path}' line {number}: '{Shorten(key)}' is not a variable name (letters, digits and '_', not starting with a digit).");
            }

            variables[key] = Value(trimmed[(equals + 1)..].TrimStart(), path, number);
        }

        return variables;
    }

    private static string Value(string raw, string path, int number)
    {
        if (raw.Length == 0 || raw[0] is not ('"' or '\''))
        {
            return raw.TrimEnd();
        }

        var quote = raw[0];
        var value = new StringBuilder();
        for (var i = 1; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == quote)
            {
                if (raw[(i + 1)..].Trim().Length > 0)
                {
                    throw new FormatException($"Defuss:EnvironmentFile '{path}' line {number}: text after the closing quote.");
                }

                return value.ToString();
            }

            if (quote == '"' && c == '\\' && i + 1 < raw.Length && raw[i + 1] is '"' or '\\' or '$')
            {
                c = raw[++i];
            }

            value.Append(c);
        }

        throw new FormatException($"Defuss:EnvironmentFile '{path}' line {number}: the value's quote ({quote}) is not closed.");
    }

    private static bool IsName(string key) =>
        key.Length > 0 && !char.IsAsciiDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "...";
}
