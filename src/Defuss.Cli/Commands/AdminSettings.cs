using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Defuss.Cli.Commands;

/// <summary>The options every command takes: which primary to talk to, and how.</summary>
internal class AdminSettings : CommandSettings
{
    [CommandOption("--admin <URL>")]
    [Description("Talk to this TCP admin endpoint (e.g. http://127.0.0.1:9464) instead of the local primaries' sockets.")]
    public string? Admin { get; init; }

    [CommandOption("--token <TOKEN>")]
    [Description("Bearer token for the admin endpoint. Defaults to the DEFUSS_ADMIN_TOKEN environment variable.")]
    public string? Token { get; init; }

    [CommandOption("--pid <PID>")]
    [Description("Pick the local primary with this process id when several run.")]
    public string? Pid { get; init; }

    /// <summary>The parsed <see cref="Admin"/>, once <see cref="Validate"/> has passed.</summary>
    public Uri? AdminUrl => Admin is null ? null : new Uri(Admin, UriKind.Absolute);

    /// <summary>The parsed <see cref="Pid"/>, once <see cref="Validate"/> has passed.</summary>
    public int? PrimaryPid => Pid is null ? null : ParseWhole(Pid);

    public override ValidationResult Validate()
    {
        var errors = new List<string>();
        Check(errors);
        return errors.Count == 0 ? ValidationResult.Success() : ValidationResult.Error(string.Join(Environment.NewLine, errors));
    }

    /// <summary>Adds one message for each bad option, so that all are reported at once.</summary>
    protected virtual void Check(List<string> errors)
    {
        if (Admin is not null && !IsHttpUrl(Admin))
        {
            errors.Add($"--admin '{Admin}' is not an absolute http:// or https:// URL (e.g. http://127.0.0.1:9464)");
        }

        if (Pid is not null && (ParseWhole(Pid) is not { } pid || pid == 0))
        {
            errors.Add($"--pid '{Pid}' is not a process id (a whole number above 0)");
        }

        if (Admin is not null && Pid is not null)
        {
            errors.Add($"--pid '{Pid}' picks a local primary; it cannot be combined with --admin '{Admin}'");
        }
    }

    /// <summary>A whole number from 0, in invariant digits only, or null.</summary>
    protected static int? ParseWhole(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;
}
