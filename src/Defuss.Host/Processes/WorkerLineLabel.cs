using System.Globalization;
using System.Text;

namespace Defuss.Processes;

/// <summary>
/// Says which worker wrote a line, as the primary echoes it: a plain line gets a visible <c>[w0 4250] </c> prefix; a JSON
/// object line (a structured log entry, from Serilog's compact formatter or .NET's JSON console) gets
/// <c>"WorkerIndex"</c> and <c>"WorkerPid"</c> properties instead, so that it stays one valid JSON object for a log shipper.
/// </summary>
internal static class WorkerLineLabel
{
    /// <summary>The prefix of a plain line from worker <paramref name="index"/> with process id <paramref name="pid"/>.</summary>
    public static string Prefix(int index, int pid) => string.Create(CultureInfo.InvariantCulture, $"[w{index} {pid}] ");

    /// <summary>
    /// The lines of one piece of a worker's stream (what was waiting in its pipe), each labelled, for the echo to write
    /// as one piece: a multi-line entry (an exception with its stack trace) that the worker wrote at once never has
    /// another worker's lines in its middle.
    /// </summary>
    public static string[] LabelAll(IReadOnlyList<string> lines, string prefix, string jsonProperties)
    {
        var labelled = new string[lines.Count];
        var builder = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            Append(builder.Clear(), lines[i], prefix, jsonProperties);
            labelled[i] = builder.ToString();
        }

        return labelled;
    }

    /// <summary>The JSON properties that label a structured line from worker <paramref name="index"/>.</summary>
    public static string JsonProperties(int index, int pid) =>
        string.Create(CultureInfo.InvariantCulture, $"\"WorkerIndex\":{index},\"WorkerPid\":{pid}");

    private static void Append(StringBuilder builder, string line, string prefix, string jsonProperties)
    {
        var trimmed = line.AsSpan().TrimEnd();
        if (trimmed.Length >= 2 && trimmed[0] == '{' && trimmed[^1] == '}')
        {
            // A JSON object: the properties go first, so that an empty object stays valid too.
            builder.Append('{').Append(jsonProperties);
            var rest = trimmed[1..].TrimStart();
            if (rest.Length > 1)
            {
                builder.Append(',');
            }

            builder.Append(rest);
            return;
        }

        builder.Append(prefix).Append(line);
    }
}
