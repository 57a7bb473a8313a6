using System.Net;
using System.Net.Sockets;
using System.Text;
using Defuss.Worker.Protocol;
using Defuss.Worker.Runtime.Handoff;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime;

/// <summary>Turns an app's <see cref="WebApplicationBuilder"/> into a Defuss worker.</summary>
internal static class DefussWorkerHosting
{
    private const string LoggerCategory = "Defuss.Worker.Runtime.DefussWorkerHosting";

    /// <summary>
    /// Makes Kestrel serve only on <see cref="WorkerSettings.Endpoint"/> (whatever URLs the configuration names), counts
    /// connections and requests, and adds the agent that reports to the primary over the control socket. On a proxied
    /// endpoint it takes the client's address from the primary's PROXY v2 header (one that carries
    /// <see cref="WorkerSettings.Secret"/>); on a <see cref="HandoffEndPoint"/> it receives the client sockets themselves.
    /// <paramref name="endpointConfiguration"/>, if it gives an action, configures the endpoint after Defuss (TLS, protocols).
    /// </summary>
    public static void ConfigureWorker(
        WebApplicationBuilder builder, WorkerSettings settings, Func<IServiceProvider, Action<ListenOptions>?>? endpointConfiguration = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.HeartbeatInterval <= TimeSpan.Zero || settings.ControlConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(settings),
                $"HeartbeatInterval ({settings.HeartbeatInterval}) and ControlConnectTimeout ({settings.ControlConnectTimeout}) must be positive.");
        }

        var endPoint = WorkerEndpoint.Parse(settings.Endpoint);
        var secret = Encoding.UTF8.GetBytes(settings.Secret);
        IgnoreConfiguredUrls(builder.Configuration);
        WatchPrimary(builder.Services, settings);

        var activity = new WorkerActivity();
        builder.WebHost.ConfigureKestrel(options =>
        {
            // Kestrel:Endpoints from appsettings.json would make every worker bind the app's public address.
            options.Configure(new ConfigurationBuilder().Build(), reloadOnChange: false);
            var logger = options.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(LoggerCategory);
            var timeProvider = options.ApplicationServices.GetRequiredService<TimeProvider>();
            var configureEndpoint = endpointConfiguration?.Invoke(options.ApplicationServices);
            Listen(options, endPoint, logger, listen =>
            {
                if (endPoint is HandoffEndPoint)
                {
                    // Outermost, so that the primary hears of the connection's end after everything else is done with it.
                    listen.Use(next => new HandoffConnectionMiddleware(next).OnConnectionAsync);
                }
                else
                {
                    // First, so that nothing reads the connection before the primary's PROXY header is taken off it.
                    listen.Use(next => new ProxyHeaderMiddleware(next, secret, timeProvider, logger).OnConnectionAsync);
                }

                listen.Use(next => new ConnectionCountingMiddleware(next, activity).OnConnectionAsync);
                configureEndpoint?.Invoke(listen);
            });
        });

        var services = builder.Services;
        if (endPoint is HandoffEndPoint)
        {
            // After UseKestrel's socket transport: Kestrel asks the last registered factory first, and ours binds only
            // handoff endpoints.
            // A handoff socket that can take no more channels stops the worker, so that the primary replaces it.
            services.AddSingleton<IConnectionListenerFactory>(provider => new HandoffTransportFactory(
                secret,
                provider.GetService<IMemoryPoolFactory<byte>>(),
                provider.GetRequiredService<ILoggerFactory>(),
                provider.GetRequiredService<IHostApplicationLifetime>().StopApplication));
        }

        services.AddSingleton(settings);
        services.AddSingleton<IHostLifetime, WorkerLifetime>();
        HideServerAddresses(services);
        services.AddSingleton(activity);
        services.AddSingleton<StatsSampler>();
        services.TryAddSingleton(TimeProvider.System);

        // First among the startup filters, so that the count covers every middleware, the framework's included.
        services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, RequestCountingStartupFilter>());
        services.AddHostedService<WorkerAgent>();
    }

    /// <summary>
    /// A worker started by the primary leads its own process group (so that killing it, and its exit, take the processes it
    /// started along) and watches its primary from now on, before the app builds anything that could hang.
    /// </summary>
    private static void WatchPrimary(IServiceCollection services, WorkerSettings settings)
    {
        if (settings.PrimaryPid is not { } primaryPid || OperatingSystem.IsWindows())
        {
            return;
        }

        _ = Interop.LinuxProcesses.LeadOwnProcessGroup();
        if (PrimaryWatch.Start(settings.Index, primaryPid) is { } watch)
        {
            services.AddSingleton(watch);
        }
    }

    /// <summary>
    /// Puts <see cref="WorkerServer"/> in front of the Kestrel the builder registered: the app's URLs (launchSettings.json,
    /// ASPNETCORE_URLS, --urls) go to an address list Kestrel never reads, so it binds only the private endpoint, warns of
    /// no override, and the host logs no "Now listening on" for a worker.
    /// </summary>
    private static void HideServerAddresses(IServiceCollection services)
    {
        if (services.LastOrDefault(s => s.ServiceType == typeof(IServer)) is not { ImplementationType: { } kestrel } registration)
        {
            return;
        }

        services.Remove(registration);
        services.AddSingleton(kestrel);
        services.AddSingleton<IServer>(provider => new WorkerServer((IServer)provider.GetRequiredService(kestrel)));
    }

    private static void IgnoreConfiguredUrls(IConfigurationBuilder configuration)
    {
        // Added last, so these win over appsettings, ASPNETCORE_URLS / ASPNETCORE_HTTP_PORTS and --urls. "urls" is ";",
        // not empty: the host falls back to the URLs it read at start (ASPNETCORE_URLS) when it finds "urls" empty, but
        // takes ";" as a list with no URL in it.
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [WebHostDefaults.ServerUrlsKey] = ";",
            [WebHostDefaults.HttpPortsKey] = string.Empty,
            [WebHostDefaults.HttpsPortsKey] = string.Empty,
            [WebHostDefaults.PreferHostingUrlsKey] = "false",
        });
    }

    private static void Listen(KestrelServerOptions options, EndPoint endPoint, ILogger logger, Action<ListenOptions> configure)
    {
        switch (endPoint)
        {
            case UnixDomainSocketEndPoint unix:
                DeleteStaleSocket(unix.ToString(), logger);
                options.ListenUnixSocket(unix.ToString(), configure);
                break;
            case HandoffEndPoint handoff:
                DeleteStaleSocket(handoff.Path, logger);
                options.Listen(handoff, configure);
                break;
            case IPEndPoint:
                options.Listen(endPoint, configure);
                break;
            default:
                throw new InvalidOperationException($"Endpoint {endPoint} is neither a Unix domain socket, an IP endpoint nor a handoff endpoint.");
        }
    }

    private static void DeleteStaleSocket(string path, ILogger logger)
    {
        if (File.Exists(path))
        {
            // Left by an earlier incarnation that was killed; binding would fail with "address in use".
            File.Delete(path);
            WorkerLog.StaleSocketDeleted(logger, path);
        }
    }
}
