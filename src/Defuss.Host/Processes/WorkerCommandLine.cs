using System.Diagnostics;
using System.Reflection;

namespace Defuss.Processes;

/// <summary>A program and its arguments, passed one by one (never re-quoted) to the process that runs it.</summary>
internal sealed record WorkerCommandLine
{
    public WorkerCommandLine(string fileName, params IEnumerable<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        FileName = fileName;
        Arguments = [.. arguments];
    }

    public string FileName { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>How this process was started, so that a worker can re-execute it.</summary>
    public static WorkerCommandLine Current() =>
        FromProcess(Environment.ProcessPath, Assembly.GetEntryAssembly()?.Location, Environment.GetCommandLineArgs());

    // Element 0 of GetCommandLineArgs is the entry assembly's path both under the muxer (`dotnet app.dll`) and
    // under an app host (`./app`), never the executable, so it is always dropped and the program comes from
    // ProcessPath. Options given to the muxer itself (`dotnet --roll-forward Major app.dll`) are not visible here.
    internal static WorkerCommandLine FromProcess(string? processPath, string? entryAssemblyPath, IReadOnlyList<string> commandLineArgs)
    {
        if (string.IsNullOrEmpty(processPath))
        {
            throw new InvalidOperationException("Cannot re-execute this process for its workers: the path of its executable is unknown (Environment.ProcessPath is null).");
        }

        var userArguments = commandLineArgs.Skip(1);
        if (!IsDotnetMuxer(processPath))
        {
            return new WorkerCommandLine(processPath, userArguments);
        }

        if (string.IsNullOrEmpty(entryAssemblyPath))
        {
            throw new InvalidOperationException($"Cannot re-execute this process for its workers: it runs under {processPath} but the path of its entry assembly is unknown.");
        }

        return new WorkerCommandLine(processPath, [entryAssemblyPath, .. userArguments]);
    }

    public ProcessStartInfo ToStartInfo()
    {
        var startInfo = new ProcessStartInfo(FileName) { UseShellExecute = false };
        foreach (var argument in Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    public bool Equals(WorkerCommandLine? other) =>
        other is not null && FileName == other.FileName && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(FileName);
        foreach (var argument in Arguments)
        {
            hash.Add(argument);
        }

        return hash.ToHashCode();
    }

    // For logs and error messages only; the process gets the arguments unquoted through ArgumentList.
    public override string ToString() => string.Join(' ', Arguments.Prepend(FileName).Select(Quote));

    private static string Quote(string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\')
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static bool IsDotnetMuxer(string processPath)
    {
        var name = Path.GetFileName(processPath);
        return string.Equals(name, "dotnet", StringComparison.Ordinal)
            || string.Equals(name, "dotnet.exe", StringComparison.OrdinalIgnoreCase);
    }
}
