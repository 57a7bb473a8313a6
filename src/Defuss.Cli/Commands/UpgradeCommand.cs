using Defuss.Cli.Admin;
using Defuss.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Defuss.Cli.Commands;

/// <summary>
/// <c>defuss upgrade</c>: hands one primary over to a new primary started from the binary and settings on disk now (as
/// SIGUSR2 does), with a spinner while the new one starts its workers; then names the new primary, or says why the
/// old one serves on.
/// </summary>
internal sealed class UpgradeCommand : AsyncCommand<AdminSettings>
{
    private readonly CliEnvironment _environment;
    private readonly IAnsiConsole _console;

    public UpgradeCommand(CliEnvironment environment, IAnsiConsole console)
    {
        _environment = environment;
        _console = console;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, AdminSettings settings, CancellationToken cancellationToken)
    {
        using var client = await new AdminConnector(_environment).OneAsync(settings, cancellationToken);
        AdminClient.UpgradeResult result;
        try
        {
            result = await _console.Status()
                .Spinner(Spinner.Known.Dots)
                .StartAsync(
                    Markup.Escape($"upgrading {client.Target}: the new primary starts its workers"),
                    _ => client.UpgradeAsync(_environment.UpgradeTimeout, cancellationToken));
        }
        catch (AdminException e)
        {
            _console.Write(new Text($"Upgrade failed: {e.Message}{Environment.NewLine}", Palette.Error));
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _console.Write(new Text(
                $"Stopped waiting for the upgrade; the hand-over may still be under way (defuss ls shows it).{Environment.NewLine}",
                new Style(Color.Yellow)));
            return ExitCodes.Cancelled;
        }

        _console.MarkupLine(Markup.Escape(
            $"Upgraded: primary {result.SuccessorPid} accepts with {result.ReadyWorkers} worker{(result.ReadyWorkers == 1 ? "" : "s")} ready; primary {result.Pid} drains and exits"));
        return ExitCodes.Ok;
    }
}
