using Defuss.Cli.Admin;

namespace Defuss.Cli.Commands;

/// <summary>Turns the global options into admin clients: the <c>--admin</c> endpoint, or the local primaries' sockets.</summary>
internal sealed class AdminConnector
{
    /// <summary>The environment variable that holds the bearer token when <c>--token</c> is not given.</summary>
    public const string TokenVariable = "DEFUSS_ADMIN_TOKEN";

    private readonly CliEnvironment _environment;
    private readonly PrimaryFinder _finder;

    public AdminConnector(CliEnvironment environment)
    {
        _environment = environment;
        _finder = environment.Finder();
    }

    /// <summary>The directory searched for sockets.</summary>
    public string Directory => _finder.Directory;

    /// <summary>A client for <c>--admin</c>, or one for each local socket (only <c>--pid</c>'s, when given), by pid.</summary>
    public IReadOnlyList<AdminClient> All(AdminSettings settings)
    {
        if (settings.AdminUrl is { } url)
        {
            return [AdminClient.ForUrl(url, Token(settings), _environment.RequestTimeout, _environment.Time)];
        }

        return _finder.Find()
            .Where(socket => settings.PrimaryPid is not { } pid || socket.Pid == pid)
            .Select(socket => AdminClient.ForSocket(socket.Path, socket.Pid, Token(settings), _environment.RequestTimeout, _environment.Time))
            .ToList();
    }

    /// <summary>
    /// The one primary a command acts on: <c>--admin</c>'s, or the one local primary (<c>--pid</c>'s) that answers; a
    /// stale socket left by a primary that has ended does not count.
    /// Throws <see cref="CliException"/> when there is none (exit 1) or several and no <c>--pid</c> (exit 2).
    /// </summary>
    public async Task<AdminClient> OneAsync(AdminSettings settings, CancellationToken cancellationToken)
    {
        var clients = All(settings);
        if (settings.AdminUrl is not null)
        {
            return clients[0];
        }

        if (clients.Count == 0)
        {
            throw NoPrimary(settings);
        }

        var live = new List<AdminClient>();
        AdminClient? chosen = null;
        try
        {
            foreach (var client in clients)
            {
                if (await AnswersAsync(client, cancellationToken))
                {
                    live.Add(client);
                }
            }

            chosen = live.Count switch
            {
                0 => throw NoPrimary(settings),
                1 => live[0],
                _ => throw new CliException(
                    ExitCodes.BadArguments,
                    $"Several Defuss primaries run here (pids {string.Join(", ", live.Select(c => c.Pid))}): pick one with --pid"),
            };
            return chosen;
        }
        finally
        {
            foreach (var client in clients.Where(client => client != chosen))
            {
                client.Dispose();
            }
        }
    }

    public CliException NoPrimary(AdminSettings settings) => new(
        ExitCodes.Failed,
        settings.PrimaryPid is { } pid
            ? $"No Defuss primary with pid {pid} found in {Directory}"
            : $"No Defuss primary found in {Directory} (is one running as this user? --admin URL reaches one over TCP)");

    private string? Token(AdminSettings settings) => settings.Token ?? _environment.GetVariable(TokenVariable);

    /// <summary>Whether a primary is there: any answer, or any failure but a refused connection, counts.</summary>
    private static async Task<bool> AnswersAsync(AdminClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetStatusAsync(cancellationToken);
            return true;
        }
        catch (AdminException e)
        {
            return !e.Gone;
        }
    }
}
