using System.Reflection;
using Defuss.Cli.Admin;
using Defuss.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Defuss.Cli;

/// <summary>
/// The <c>defuss</c> tool: <c>ls</c>, <c>top</c>, <c>reload</c>, <c>upgrade</c>, <c>scale</c> and <c>logs</c> against the admin API of the
/// primaries on this machine. Runs in process for tests: give it a console, an environment and a token.
/// </summary>
internal static class DefussCli
{
    /// <summary>Runs one command line on the real machine; answers the exit code.</summary>
    public static Task<int> RunAsync(string[] args, IAnsiConsole console, CancellationToken cancellationToken) =>
        RunAsync(args, console, CliEnvironment.Default, cancellationToken);

    /// <summary>Runs one command line; answers the exit code (0 done, 1 failed, 2 bad arguments, 130 cancelled).</summary>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("defuss");
            config.SetApplicationVersion(Version());
            config.ConfigureConsole(console);
            config.Settings.StrictParsing = true;
            config.Settings.Registrar.RegisterInstance(environment);
            config.Settings.Registrar.RegisterInstance(console);
            config.SetExceptionHandler((exception, _) => Fail(console, exception));

            config.AddCommand<LsCommand>("ls")
                .WithAlias("list")
                .WithDescription("List the primaries on this machine and their workers.")
                .WithExample("ls")
                .WithExample("ls", "--admin", "http://127.0.0.1:9464", "--token", "secret");
            config.AddCommand<TopCommand>("top")
                .WithAlias("monit")
                .WithDescription("Watch one primary's workers live: state, CPU, memory, connections, requests/s. q or Ctrl+C quits.")
                .WithExample("top")
                .WithExample("top", "--pid", "4242");
            config.AddCommand<ReloadCommand>("reload")
                .WithDescription("Replace every worker of one primary, one after the other, without dropping requests.")
                .WithExample("reload");
            config.AddCommand<UpgradeCommand>("upgrade")
                .WithDescription("Hand one primary over to a new one, started from the binary and settings on disk now, without refusing a connection.")
                .WithExample("upgrade")
                .WithExample("upgrade", "--pid", "4242");
            config.AddCommand<ScaleCommand>("scale")
                .WithDescription("Resize one primary's pool to WORKERS workers: new ones start, or the highest retire with a drain.")
                .WithExample("scale", "4")
                .WithExample("scale", "2", "--pid", "4242");
            config.AddCommand<LogsCommand>("logs")
                .WithDescription("Print the workers' latest log lines; with --follow, new ones until Ctrl+C.")
                .WithExample("logs", "--worker", "0", "--lines", "50")
                .WithExample("logs", "--follow");
        });

        return await app.RunAsync(args, cancellationToken);
    }

    /// <summary>Prints what went wrong and picks the exit code: the user's arguments, the primary, or Ctrl+C.</summary>
    private static int Fail(IAnsiConsole console, Exception exception)
    {
        switch (exception)
        {
            case OperationCanceledException:
                return ExitCodes.Cancelled;
            case CommandAppException { Pretty: { } pretty }:
                console.Write(pretty);
                return ExitCodes.BadArguments;
            case CommandAppException:
                Error(console, exception.Message);
                return ExitCodes.BadArguments;
            case CliException cli:
                Error(console, cli.Message);
                return cli.ExitCode;
            case AdminException:
                Error(console, exception.Message);
                return ExitCodes.Failed;
            default:
                Error(console, $"{exception.GetType().Name}: {exception.Message}");
                return ExitCodes.Failed;
        }
    }

    private static void Error(IAnsiConsole console, string message)
    {
        foreach (var line in message.Split(Environment.NewLine))
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(line)}");
        }
    }

    private static string Version() =>
        typeof(DefussCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
