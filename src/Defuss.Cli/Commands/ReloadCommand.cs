using Defuss.Cli.Admin;
using Defuss.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Defuss.Cli.Commands;

/// <summary>
/// <c>defuss reload</c>: a rolling restart of one primary's workers, with a spinner that counts the workers replaced
/// so far, then how many were reloaded.
/// </summary>
internal sealed class ReloadCommand : AsyncCommand<AdminSettings>
{
    private readonly CliEnvironment _environment;
    private readonly IAnsiConsole _console;

    public ReloadCommand(CliEnvironment environment, IAnsiConsole console)
    {
        _environment = environment;
        _console = console;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, AdminSettings settings, CancellationToken cancellationToken)
    {
        using var client = await new AdminConnector(_environment).OneAsync(settings, cancellationToken);
        var before = await client.GetStatusAsync(cancellationToken);
        int replaced;
        try
        {
            replaced = await _console.Status()
                .Spinner(Spinner.Known.Dots)
                .StartAsync(Progress(client, 0, before.Workers.Count), status => WaitAsync(client, before, status, cancellationToken));
        }
        catch (AdminException e)
        {
            _console.Write(new Text($"Reload failed: {e.Message}{Environment.NewLine}", Palette.Error));
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _console.Write(new Text(
                $"Stopped waiting for the reload; the primary may still be replacing workers (defuss ls shows them).{Environment.NewLine}",
                new Style(Color.Yellow)));
            return ExitCodes.Cancelled;
        }

        _console.MarkupLine($"[green]Reloaded {replaced} worker{(replaced == 1 ? "" : "s")}[/]");
        return ExitCodes.Ok;
    }

    /// <summary>Counts the workers whose process is not the one they had before the reload.</summary>
    internal static int Replaced(PrimaryStatus before, PrimaryStatus now)
    {
        var old = before.Workers.ToDictionary(w => w.Index, w => (w.Pid, w.Incarnation));
        var count = now.Workers.Count(w => !old.TryGetValue(w.Index, out var was) || was != (w.Pid, w.Incarnation));
        return Math.Min(count, before.Workers.Count);
    }

    private static string Progress(AdminClient client, int replaced, int total) =>
        Markup.Escape($"reloading {client.Target}: replacing workers: {replaced} of {total} new");

    private async Task<int> WaitAsync(AdminClient client, PrimaryStatus before, StatusContext status, CancellationToken cancellationToken)
    {
        var reload = client.ReloadAsync(_environment.ReloadTimeout, cancellationToken);
        try
        {
            while (true)
            {
                var tick = Task.Delay(_environment.RefreshInterval, _environment.Time, cancellationToken);
                if (await Task.WhenAny(reload, tick) == reload)
                {
                    return await reload;
                }

                await tick;
                try
                {
                    var now = await client.GetStatusAsync(cancellationToken);
                    status.Status(Progress(client, Replaced(before, now), before.Workers.Count));
                }
                catch (AdminException)
                {
                    // A primary busy replacing workers may answer late; the reload's own answer decides.
                }
            }
        }
        finally
        {
            // Observed on every way out, so that a failure after cancellation is not left unobserved.
            _ = reload.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }
}
