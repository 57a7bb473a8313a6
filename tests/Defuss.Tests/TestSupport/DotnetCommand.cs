using System.Collections.Concurrent;
using System.Diagnostics;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// Runs a command of the SDK (<c>dotnet pack</c>, <c>dotnet build</c>, ...) or a program it installed, to its end
/// or a deadline. It fails with the whole output when the command fails or the deadline passes; a command still
/// running then is killed by pid, with the processes it started.
/// </summary>
internal static class DotnetCommand
{
    /// <summary>
    /// Variables the test host's own SDK puts in its environment, which would point a child build at that SDK's
    /// internals instead of letting it resolve its own.
    /// </summary>
    private static readonly string[] InheritedBuildVariables = ["MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly"];

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>; returns its output.</summary>
    public static Task<string> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, CancellationToken deadline, params string[] arguments) =>
        RunProgramAsync("dotnet", workingDirectory, environment, deadline, arguments);

    /// <summary>Runs <paramref name="program"/>, which must exit 0; returns its output (stdout and stderr as they came).</summary>
    public static async Task<string> RunProgramAsync(string program, string workingDirectory, IReadOnlyDictionary<string, string>? environment, CancellationToken deadline, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in InheritedBuildVariables)
        {
            start.Environment.Remove(name);
        }

        // No MSBuild node, build server or compiler server may outlive the command: the test stops what it starts.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var output = new ConcurrentQueue<string>();
        var command = $"{program} {string.Join(' ', arguments)}";
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        var started = Stopwatch.StartNew();
        process.Start();
        try
        {
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                // The variant with no argument also waits for the end of both redirected streams.
                await process.WaitForExitAsync().WaitAsync(deadline);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"`{command}` was still running after {started.Elapsed.TotalSeconds:F0} s, at the test's deadline:{Environment.NewLine}{Text()}");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"`{command}` exited with code {process.ExitCode}:{Environment.NewLine}{Text()}");
            }

            return Text();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }

        void Keep(string? line)
        {
            if (line is not null)
            {
                output.Enqueue(line);
            }
        }

        string Text() => string.Join(Environment.NewLine, output);
    }
}
