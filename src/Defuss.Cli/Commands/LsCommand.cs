using Defuss.Cli.Admin;
using Defuss.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Defuss.Cli.Commands;

/// <summary><c>defuss ls</c>: every primary of this user on this machine (or <c>--admin</c>'s), with its workers.</summary>
internal sealed class LsCommand : AsyncCommand<AdminSettings>
{
    private readonly CliEnvironment _environment;
    private readonly IAnsiConsole _console;

    public LsCommand(CliEnvironment environment, IAnsiConsole console)
    {
        _environment = environment;
        _console = console;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, AdminSettings settings, CancellationToken cancellationToken)
    {
        var connector = new AdminConnector(_environment);
        var clients = connector.All(settings);
        try
        {
            var shown = 0;
            var failed = false;
            foreach (var client in clients)
            {
                try
                {
                    var status = await client.GetStatusAsync(cancellationToken);
                    if (shown > 0)
                    {
                        _console.WriteLine();
                    }

                    _console.Write(StatusView.Render(status, _console.Profile.Width));
                    shown++;
                }
                catch (AdminException e) when (e.Gone && client.Pid is not null)
                {
                    // A socket left by a primary that has ended: not this tool's to report or delete.
                }
                catch (AdminException e)
                {
                    _console.Write(new Text(e.Message + Environment.NewLine, Palette.Error));
                    failed = true;
                }
            }

            if (shown == 0 && !failed)
            {
                throw connector.NoPrimary(settings);
            }

            return failed ? ExitCodes.Failed : ExitCodes.Ok;
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
