using Defuss.Cli;
using Spectre.Console;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C ends the command cleanly (live display closed, cursor shown); a second one, if that hangs,
    // ends the process.
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};

if (Console.IsOutputRedirected)
{
    // Into a file or a pipe there is no terminal width: keep each table row and log line on one line.
    AnsiConsole.Profile.Width = 250;
}

return await DefussCli.RunAsync(args, AnsiConsole.Console, cancel.Token);
