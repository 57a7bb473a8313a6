using Defuss.Cli.Admin;
using Spectre.Console;

namespace Defuss.Cli.Rendering;

/// <summary>Prints log lines as <c>[w0 4250] text</c>: the prefix in the worker's colour, stderr text in red.</summary>
internal sealed class LogPrinter
{
    private readonly IAnsiConsole _console;

    public LogPrinter(IAnsiConsole console)
    {
        _console = console;
    }

    public void Write(LogLine line)
    {
        var prefix = line.Worker < 0 ? "" : $"[w{line.Worker} {line.Pid}] ";
        if (!_console.Profile.Capabilities.Ansi)
        {
            // Into a file or a pipe: one line each, as written, with no wrapping at a guessed width.
            _console.Profile.Out.Writer.WriteLine(prefix + line.Text);
            return;
        }

        var paragraph = new Paragraph();
        if (prefix.Length > 0)
        {
            paragraph.Append(prefix, Palette.Worker(line.Worker));
        }

        paragraph.Append(line.Text, line.IsError ? Palette.Error : Style.Plain);
        _console.Write(paragraph);
        _console.WriteLine();
    }
}
