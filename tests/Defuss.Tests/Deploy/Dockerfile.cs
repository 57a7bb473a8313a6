using System.Text;
using System.Text.Json;

namespace Defuss.Tests.Deploy;

/// <summary>A Dockerfile read as Docker reads it: comments dropped, continued lines joined, one instruction per entry.</summary>
internal sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<Instruction> instructions) => Instructions = instructions;

    /// <summary>An instruction: its keyword in upper case, and its arguments as written.</summary>
    public sealed record Instruction(string Keyword, string Arguments);

    public IReadOnlyList<Instruction> Instructions { get; }

    /// <summary>The instructions of the last stage, from its <c>FROM</c> on: what the image is made of.</summary>
    public IReadOnlyList<Instruction> FinalStage =>
        Instructions.Skip(Instructions.Select((instruction, index) => (instruction, index)).Last(i => i.instruction.Keyword == "FROM").index).ToArray();

    public static Dockerfile Load(string path) => Parse(File.ReadAllText(path));

    public static Dockerfile Parse(string text)
    {
        var instructions = new List<Instruction>();
        var current = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;       // a comment, also one between continued lines; parser directives are comments too
            }

            var continued = line.TrimEnd().EndsWith('\\');
            current.Append(continued ? line.TrimEnd()[..^1] : line).Append(' ');
            if (continued)
            {
                continue;
            }

            var whole = current.ToString().Trim();
            current.Clear();
            if (whole.Length > 0)
            {
                var keyword = whole.Split(' ', 2)[0];
                instructions.Add(new Instruction(keyword.ToUpperInvariant(), whole[keyword.Length..].Trim()));
            }
        }

        return new Dockerfile(instructions);
    }

    /// <summary>The arguments of the last <paramref name="keyword"/> in <paramref name="stage"/>, or null.</summary>
    public static string? Last(IEnumerable<Instruction> stage, string keyword) => stage.LastOrDefault(i => i.Keyword == keyword)?.Arguments;

    /// <summary>The exec form of an <c>ENTRYPOINT</c> or <c>CMD</c> (a JSON array); null for the shell form.</summary>
    public static string[]? ExecForm(string arguments) =>
        arguments.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(arguments) : null;

    /// <summary>The variables every <c>ENV</c> of <paramref name="stage"/> sets (<c>KEY=value ...</c>, or the old <c>KEY value</c>).</summary>
    public static IReadOnlyDictionary<string, string> Environment(IEnumerable<Instruction> stage)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var env in stage.Where(i => i.Keyword == "ENV"))
        {
            var words = Words(env.Arguments);
            if (!words[0].Contains('=', StringComparison.Ordinal))
            {
                variables[words[0]] = env.Arguments[words[0].Length..].Trim();
                continue;
            }

            foreach (var word in words)
            {
                var (name, value) = (word.Split('=', 2)[0], word.Split('=', 2)[1]);
                variables[name] = value;
            }
        }

        return variables;
    }

    /// <summary>The ports every <c>EXPOSE</c> of <paramref name="stage"/> names (<c>3000</c>, <c>3000/tcp</c>).</summary>
    public static IReadOnlySet<int> ExposedPorts(IEnumerable<Instruction> stage) =>
        stage.Where(i => i.Keyword == "EXPOSE")
            .SelectMany(i => Words(i.Arguments))
            .Select(port => int.Parse(port.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();

    /// <summary>The default of build argument <paramref name="name"/> (<c>ARG NAME=default</c>) in <paramref name="stage"/>, or null.</summary>
    public static string? ArgDefault(IEnumerable<Instruction> stage, string name) =>
        stage.Where(i => i.Keyword == "ARG" && i.Arguments.StartsWith(name + "=", StringComparison.Ordinal))
            .Select(i => Unquote(i.Arguments[(name.Length + 1)..].Trim()))
            .LastOrDefault();

    /// <summary>Words separated by blanks, where a double-quoted part (quotes dropped) may hold blanks.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any)
                {
                    words.Add(word.ToString());
                }

                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        if (any)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static string Unquote(string value) => value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
}
