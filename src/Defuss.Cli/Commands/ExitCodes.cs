namespace Defuss.Cli.Commands;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>No primary found, a request failed, a reload failed, or the primary went away.</summary>
    public const int Failed = 1;

    /// <summary>An argument is invalid or missing; the message names it and the bad value.</summary>
    public const int BadArguments = 2;

    /// <summary>Ctrl+C ended a command that had not finished (as a shell reports SIGINT).</summary>
    public const int Cancelled = 130;
}
