using Defuss.Cli.Admin;
using Defuss.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Defuss.Cli.Commands;

/// <summary><c>defuss logs</c>: the workers' last lines, then (with <c>--follow</c>) new ones until Ctrl+C.</summary>
internal sealed class LogsCommand : AsyncCommand<LogsSettings>
{
    private readonly CliEnvironment _environment;
    private readonly IAnsiConsole _console;

    public LogsCommand(CliEnvironment environment, IAnsiConsole console)
    {
        _environment = environment;
        _console = console;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, LogsSettings settings, CancellationToken cancellationToken)
    {
        using var client = await new AdminConnector(_environment).OneAsync(settings, cancellationToken);
        var printer = new LogPrinter(_console);
        try
        {
            await foreach (var line in client.GetLogsAsync(settings.WorkerIndex, settings.LineCount, settings.Follow, cancellationToken))
            {
                printer.Write(line);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C is how a follow ends.
            return ExitCodes.Ok;
        }
        catch (AdminException e) when (e.Gone)
        {
            _console.Write(new Text($"The primary went away: {e.Message}{Environment.NewLine}", Palette.Error));
            return ExitCodes.Failed;
        }

        if (settings.Follow)
        {
            _console.Write(new Text($"{client.Target} ended the log stream (is it stopping?){Environment.NewLine}", new Style(Color.Yellow)));
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }
}
