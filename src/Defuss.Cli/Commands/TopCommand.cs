using Defuss.Cli.Admin;
using Defuss.Cli.Rendering;
using Defuss.Cli.Top;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Defuss.Cli.Commands;

/// <summary>
/// <c>defuss top</c>: a live view of one primary, refreshed every second, until <c>q</c> or Ctrl+C; exits 1 when the
/// primary goes away.
/// </summary>
internal sealed class TopCommand : AsyncCommand<AdminSettings>
{
    private static readonly TimeSpan KeyPoll = TimeSpan.FromMilliseconds(50);

    private readonly CliEnvironment _environment;
    private readonly IAnsiConsole _console;

    public TopCommand(CliEnvironment environment, IAnsiConsole console)
    {
        _environment = environment;
        _console = console;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, AdminSettings settings, CancellationToken cancellationToken)
    {
        using var client = await new AdminConnector(_environment).OneAsync(settings, cancellationToken);
        using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var keys = WatchKeysAsync(quit);
        AdminException? lost = null;
        try
        {
            await _console.Live(new Text($"asking {client.Target}…"))
                .AutoClear(false)
                .StartAsync(async live => lost = await RefreshAsync(client, live, quit.Token));
        }
        catch (OperationCanceledException) when (quit.IsCancellationRequested)
        {
            // q or Ctrl+C: the live display has ended and shown the cursor again.
        }
        finally
        {
            await quit.CancelAsync();
            await keys;
            _console.Cursor.Show(true);
        }

        if (lost is not null)
        {
            var what = lost.Gone ? "The primary went away" : "The primary stopped answering";
            _console.Write(new Text($"{what}: {lost.Message}{Environment.NewLine}", Palette.Error));
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }

    /// <summary>Draws a frame per snapshot until cancelled; answers the failure that ended it.</summary>
    private async Task<AdminException> RefreshAsync(AdminClient client, LiveDisplayContext live, CancellationToken cancellationToken)
    {
        var model = new TopModel(TopModel.MinuteOf(_environment.RefreshInterval));
        var unicode = _console.Profile.Capabilities.Unicode;
        while (true)
        {
            PrimaryStatus status;
            try
            {
                status = await client.GetStatusAsync(cancellationToken);
            }
            catch (AdminException e)
            {
                return e;
            }

            model.Update(status);
            live.UpdateTarget(TopView.Render(status, model, unicode, _console.Profile.Width));
            await Task.Delay(_environment.RefreshInterval, _environment.Time, cancellationToken);
        }
    }

    /// <summary>Cancels <paramref name="quit"/> on <c>q</c>; on a console that cannot read keys, only Ctrl+C ends the view.</summary>
    private async Task WatchKeysAsync(CancellationTokenSource quit)
    {
        try
        {
            while (!quit.IsCancellationRequested)
            {
                if (_console.Input.IsKeyAvailable())
                {
                    if (_console.Input.ReadKey(intercept: true)?.KeyChar is 'q' or 'Q')
                    {
                        await quit.CancelAsync();
                        return;
                    }

                    continue;
                }

                // The console offers no wait for a key, only a look: look a few times a second.
                await Task.Delay(KeyPoll, _environment.Time, quit.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (InvalidOperationException)
        {
            // Not interactive (input redirected).
        }
    }
}
