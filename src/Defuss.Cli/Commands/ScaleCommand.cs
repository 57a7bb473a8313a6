using Defuss.Cli.Admin;
using Defuss.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Defuss.Cli.Commands;

/// <summary>
/// <c>defuss scale N</c>: resizes one primary's pool, with a spinner that counts the workers Ready so far, then the size
/// reached.
/// </summary>
internal sealed class ScaleCommand : AsyncCommand<ScaleSettings>
{
    private readonly CliEnvironment _environment;
    private readonly IAnsiConsole _console;

    public ScaleCommand(CliEnvironment environment, IAnsiConsole console)
    {
        _environment = environment;
        _console = console;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, ScaleSettings settings, CancellationToken cancellationToken)
    {
        var target = settings.WorkerCount;
        using var client = await new AdminConnector(_environment).OneAsync(settings, cancellationToken);
        var before = await client.GetStatusAsync(cancellationToken);
        int size;
        try
        {
            size = await _console.Status()
                .Spinner(Spinner.Known.Dots)
                .StartAsync(Progress(client, Ready(before), target), status => WaitAsync(client, target, status, cancellationToken));
        }
        catch (AdminException e)
        {
            _console.Write(new Text($"Scale failed: {e.Message}{Environment.NewLine}", Palette.Error));
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _console.Write(new Text(
                $"Stopped waiting for the resize; the primary goes on resizing its pool (defuss ls shows it).{Environment.NewLine}",
                new Style(Color.Yellow)));
            return ExitCodes.Cancelled;
        }

        _console.MarkupLine($"[green]Scaled to {size} worker{(size == 1 ? "" : "s")}[/]");
        return ExitCodes.Ok;
    }

    /// <summary>The workers Ready now; a retired worker's row may linger as Exited, and does not count.</summary>
    internal static int Ready(PrimaryStatus status) => status.Workers.Count(w => w.State == "Ready");

    private static string Progress(AdminClient client, int ready, int target) =>
        Markup.Escape($"scaling {client.Target}: {ready} of {target} workers ready");

    private async Task<int> WaitAsync(AdminClient client, int target, StatusContext status, CancellationToken cancellationToken)
    {
        var scale = client.ScaleAsync(target, _environment.ScaleTimeout, cancellationToken);
        try
        {
            while (true)
            {
                var tick = Task.Delay(_environment.RefreshInterval, _environment.Time, cancellationToken);
                if (await Task.WhenAny(scale, tick) == scale)
                {
                    return await scale;
                }

                await tick;
                try
                {
                    status.Status(Progress(client, Ready(await client.GetStatusAsync(cancellationToken)), target));
                }
                catch (AdminException)
                {
                    // A primary busy starting workers may answer late; the resize's own answer decides.
                }
            }
        }
        finally
        {
            // Observed on every way out, so that a failure after cancellation is not left unobserved.
            _ = scale.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }
}
