using System.Runtime.InteropServices;
using Defuss.Bench.Load.Options;
using Defuss.Bench.Load.Processes;
using Defuss.Bench.Load.Reports;
using Defuss.Bench.Load.Results;

namespace Defuss.Bench.Load;

/// <summary>
/// <c>load [options]</c>: runs the load benchmark and writes latest.md, latest.json and latest.svg. Exit codes: 0 done,
/// 1 the run failed (the reports are still written when there is something to report), 2 bad options, 130 interrupted.
/// </summary>
internal static class LoadCommand
{
    public const string Name = "load";

    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int BadOptions = 2;
    public const int Interrupted = 130;

    /// <summary>The reports' file names, beside each other in the output directory.</summary>
    public const string MarkdownFile = "latest.md";
    public const string JsonFile = "latest.json";
    public const string SvgFile = "latest.svg";

    public static async Task<int> RunAsync(string[] args)
    {
        var parsed = LoadOptionsParser.Parse(args, Environment.ProcessorCount);
        if (parsed.HelpRequested)
        {
            Console.WriteLine(LoadUsage.Text(Environment.ProcessorCount));
            return Succeeded;
        }

        if (parsed.Options is not { } options)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error}");
            }

            await Console.Error.WriteLineAsync("run with --help for the options");
            return BadOptions;
        }

        if (!OperatingSystem.IsLinux())
        {
            await Console.Error.WriteLineAsync("error: the load benchmark runs on Linux: it reads every process's CPU time and memory from /proc");
            return Failed;
        }

        using var cancel = new CancellationTokenSource();
        // The first Ctrl+C (or SIGTERM) ends the run cleanly, stopping every process it started; a second kills them and leaves.
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (cancel.IsCancellationRequested)
            {
                ProcessJanitor.KillAll();
                Environment.Exit(Interrupted);
            }

            Console.Error.WriteLine($"\n{context.Signal}: stopping every process the bench started (again to kill them at once)");
            cancel.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ProcessJanitor.KillAll();

        BenchReport report;
        try
        {
            report = await new LoadRunner(options, Console.Out).RunAsync(cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("interrupted: nothing written");
            return Interrupted;
        }
        catch (InvalidOperationException exception)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}");
            return Failed;
        }
        finally
        {
            // Every path stops what it started; anything left now is a bug, and still must not outlive the bench.
            ProcessJanitor.KillAll();
        }

        ConsoleReport.Write(report, Console.Out);
        var directory = options.OutputDirectory ?? BenchEnvironment.DefaultResultsDirectory;
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, MarkdownFile), MarkdownReport.Write(report, SvgFile));
        await File.WriteAllTextAsync(Path.Combine(directory, JsonFile), JsonReport.Write(report));
        await File.WriteAllTextAsync(Path.Combine(directory, SvgFile), SvgChart.Write(report));
        Console.WriteLine($"wrote {Path.Combine(directory, MarkdownFile)}, {JsonFile} and {SvgFile}");
        return report.Failures.Count == 0 ? Succeeded : Failed;
    }
}
