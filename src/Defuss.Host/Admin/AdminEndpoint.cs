using System.Net;
using Defuss.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Defuss.Admin;

/// <summary>What the admin endpoint listens on and whom it answers.</summary>
/// <param name="Url">The TCP endpoint (<c>Defuss:AdminUrl</c>), if set.</param>
/// <param name="Token">The bearer token TCP clients must present (<c>Defuss:AdminToken</c>), if set.</param>
/// <param name="MinReadyWorkers">How many Ready workers make <c>/readyz</c> answer 200.</param>
/// <param name="SocketPath">The private local admin socket, if one is to be opened.</param>
internal sealed record AdminSettings(AdminUrl? Url, string? Token, int MinReadyWorkers, string? SocketPath);

/// <summary>
/// The primary's admin endpoint: a small Kestrel app of its own (the primary's host runs the front door, not Kestrel),
/// with nothing from the user's app in it, on <c>Defuss:AdminUrl</c> and on the private local admin socket.
/// </summary>
internal sealed partial class AdminEndpoint : IAsyncDisposable
{
    /// <summary>How many connections the endpoint keeps at once: a handful of scrapers, tools and browsers.</summary>
    private const int MaxConnections = 64;

    private readonly WebApplication _app;
    private readonly string? _socketPath;

    private AdminEndpoint(WebApplication app, IReadOnlyList<string> urls, string? socketPath)
    {
        _app = app;
        Urls = urls;
        _socketPath = socketPath;
    }

    /// <summary>The TCP URLs it listens on, with the ports actually bound.</summary>
    public IReadOnlyList<string> Urls { get; }

    /// <summary>
    /// Starts the endpoint, or returns null when it has nowhere to listen (no URL set, and the local socket could not be
    /// opened). Throws <see cref="InvalidOperationException"/> naming <c>Defuss:AdminUrl</c> when that cannot be bound.
    /// </summary>
    public static async Task<AdminEndpoint?> StartAsync(
        AdminSettings settings, DefussControl control, Func<CancellationToken, Task<bool>> healthy, MeterProvider meters, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger("Defuss.Admin");
        var socketPath = settings.SocketPath is { } path && PrepareSocket(path, logger) ? path : null;
        if (settings.Url is null && socketPath is null)
        {
            return null;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Defuss.Admin" });
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory)).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddRoutingCore();
        builder.Services.AddOptions();
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(2));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = MaxConnections;
            kestrel.Limits.MaxRequestBodySize = 4096;
            if (settings.Url is { } url)
            {
                if (url.Address is { } address)
                {
                    kestrel.Listen(address, url.Port);
                }
                else
                {
                    kestrel.ListenLocalhost(url.Port);
                }
            }

            if (socketPath is not null)
            {
                kestrel.ListenUnixSocket(socketPath);
            }
        });

        var app = builder.Build();
        Map(app, settings, control, healthy, meters, logger);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            DeleteSocket(socketPath);
            throw new InvalidOperationException($"Defuss:AdminUrl = '{FormatSetting(settings.Url)}' is invalid: it cannot be bound ({exception.Message}).", exception);
        }

        var urls = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .Where(address => address.StartsWith("http://", StringComparison.Ordinal) && !address.StartsWith("http://unix:", StringComparison.Ordinal))
            .ToArray() ?? [];
        AdminLog.Listening(logger, urls.Length == 0 ? "the local admin socket only (Defuss:AdminUrl is not set)" : string.Join(", ", urls), socketPath ?? "(none)");
        return new AdminEndpoint(app, urls, socketPath);
    }

    /// <summary>Stops listening (a follower of <c>/logs</c> ends at once) and removes the local socket.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            DeleteSocket(_socketPath);
        }
    }

    /// <summary>
    /// Makes the user's admin-socket directory (mode 0700, as the private control directory), and removes a socket file
    /// this pid left behind (the pid of a primary that died without cleaning up, now ours). False (with a warning) when it
    /// cannot: the primary runs without it.
    /// </summary>
    private static bool PrepareSocket(string path, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            var directory = Path.GetDirectoryName(path)!;
            const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            Directory.CreateDirectory(directory, Private);
            if (File.GetUnixFileMode(directory) != Private)
            {
                File.SetUnixFileMode(directory, Private);
            }

            if (Answers(path))
            {
                // Another primary in this same process (an app that runs two, or a test host) has it: never take it over.
                AdminLog.SocketFailed(logger, path, "another primary in this process listens on it");
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            AdminLog.SocketFailed(logger, path, exception.Message);
            return false;
        }
    }

    /// <summary>Whether something listens on the socket file at <paramref name="path"/> (a stale file refuses the connection).</summary>
    private static bool Answers(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static void DeleteSocket(string? path)
    {
        try
        {
            if (path is not null)
            {
                File.Delete(path);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The directory is the user's own; a socket file left there is skipped by the tool and replaced by its pid's next owner.
        }
    }

    private static string FormatSetting(AdminUrl? url) =>
        url is null ? "" : url.Address is null ? $"http://localhost:{url.Port}" : AdminUrl.Format(new IPEndPoint(url.Address, url.Port));

    /// <summary>Hands the admin app's log lines (warnings and above) to the primary's own logging.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
