using Akka.Hosting;
using Defuss.Actors.Workers;
using Defuss.Processes;
using Defuss.Telemetry;
using Defuss.Worker.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Defuss.Hosting;

/// <summary>The two lines that put an app on every core: <c>builder.AddDefuss()</c> and <c>app.RunDefussAsync()</c>.</summary>
public static class DefussHostingExtensions
{
    /// <summary>The name of the actor system Defuss creates in the primary when the app has none of its own.</summary>
    public const string ActorSystemName = "defuss";

    /// <summary>
    /// Adds Defuss to the app, binding <see cref="DefussOptions"/> from the <c>Defuss</c> configuration section, then
    /// applying <paramref name="configure"/>. In a worker process it also binds Kestrel to the worker's private endpoint.
    /// </summary>
    public static WebApplicationBuilder AddDefuss(this WebApplicationBuilder builder, Action<DefussOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<DefussOptions>(builder.Configuration.GetSection(DefussOptions.SectionName));
        builder.Services.AddDefuss(configure);
        if (WorkerSettings.IsWorkerProcess())
        {
            // Before the app's loggers take the console's writers: each log entry then reaches the primary whole.
            WorkerConsole.WriteEachCallWhole();
            DefussWorkerHosting.ConfigureWorker(
                builder,
                WorkerSettings.FromEnvironment(),
                provider => provider.GetRequiredService<IOptions<DefussOptions>>().Value.WorkerEndpointConfiguration);
        }

        return builder;
    }

    /// <summary>
    /// Registers Defuss's options (without binding configuration; <c>builder.AddDefuss()</c> binds them) and, in the
    /// primary, what it runs: the host runs with the front door in place of Kestrel, and Defuss's actors run in the app's
    /// actor system if it has one (<c>AddAkka</c>), else in one of their own.
    /// </summary>
    public static IServiceCollection AddDefuss(this IServiceCollection services, Action<DefussOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DefussOptions>();
        services.TryAddSingleton<DefussControl>();
        services.TryAddSingleton(provider => new DefussMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IDefussControl>(provider => provider.GetRequiredService<DefussControl>());
        if (configure is not null)
        {
            services.PostConfigure(configure);
        }

        if (!WorkerSettings.IsWorkerProcess() && !services.Any(s => s.ServiceType == typeof(DefussPrimary)))
        {
            AddPrimary(services);
        }

        return services;
    }

    /// <summary>
    /// Adds a hosted service that runs in the worker processes only, where the app's endpoints run; the primary never
    /// starts it. (A plain <c>AddHostedService</c> runs in the primary too, which names it at start.)
    /// </summary>
    public static IServiceCollection AddWorkerHostedService<THostedService>(this IServiceCollection services)
        where THostedService : class, IHostedService
    {
        ArgumentNullException.ThrowIfNull(services);
        return WorkerSettings.IsWorkerProcess() ? services.AddHostedService<THostedService>() : services;
    }

    /// <summary>
    /// In the primary: starts the host with Defuss's actors, supervises the workers and runs the front door until
    /// SIGINT/SIGTERM (or the token, or the host's lifetime), drains, then stops the host; an invalid setting or a busy
    /// port sets exit code 1. In a worker: serves the app on its private endpoint.
    /// </summary>
    public static async Task RunDefussAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (WorkerSettings.IsWorkerProcess())
        {
            await RunWorkerAsync(app, cancellationToken);
            return;
        }

        Environment.ExitCode = await RunPrimaryAsync(app, cancellationToken);
    }

    private static void AddPrimary(IServiceCollection services)
    {
        services.AddSingleton<DefussPrimary>();
        services.TryAddSingleton<IWorkerProcessLauncher>(provider => new OsWorkerProcessLauncher(
            WorkerCommandLine.Current(), provider.GetRequiredService<ILogger<OsWorkerProcessLauncher>>(), metrics: provider.GetRequiredService<DefussMetrics>())
        {
            Logs = provider.GetRequiredService<DefussControl>().Logs,
        });

        // The primary serves no request itself: the front door takes the public port, and Defuss's own signal handlers
        // lead the drain, so neither Kestrel nor the console lifetime runs here.
        services.AddSingleton<IServer, PrimaryServer>();
        services.AddSingleton<IHostLifetime, PrimaryLifetime>();

        if (!services.Any(s => s.ServiceType == typeof(AkkaConfigurationBuilder)))
        {
            // The app runs no actor system of its own (or adds it later, which then wins): Defuss brings one.
            services.AddAkka(ActorSystemName, (akka, _) => akka.WithDefussDefaults().WithDefuss());
        }
    }

    /// <summary>
    /// Serves the app until the primary says stop or goes away. A terminal's Ctrl+C reaches the whole process group;
    /// workers ignore SIGINT (their host lifetime is <c>WorkerLifetime</c>, and the app's actor system, if any, stops with
    /// the host rather than on Akka's own signal hook) so that the primary decides the order of the drain.
    /// </summary>
    private static async Task RunWorkerAsync(WebApplication app, CancellationToken cancellationToken)
    {
        app.Services.GetService<AkkaConfigurationBuilder>()?.AddHocon(DefussHocon.ForWorker(), HoconAddMode.Prepend);
        try
        {
            await ((IHost)app).RunAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Told to stop (or the primary went away) before the app had finished starting: a quiet exit.
        }
    }

    /// <summary>Runs the primary and returns its exit code (tests run it in their own process, whose exit code is not theirs to set).</summary>
    internal static async Task<int> RunPrimaryAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Defuss");

        // A primary started by another for a hand-over takes that one's listening sockets first, so that whatever stops
        // this start is told to it (which then serves on).
        Upgrade.UpgradeSuccessor? successor;
        try
        {
            successor = Upgrade.UpgradeSuccessor.FromEnvironment();
        }
        catch (InvalidOperationException exception)
        {
            return Fail(logger, "cannot take over: " + exception.Message);
        }

        try
        {
            return await RunPrimaryAsync(app, logger, successor, cancellationToken);
        }
        finally
        {
            // Owned here: the primary tells it of a failed start, and takes its sockets, until its run is over.
            successor?.Dispose();
        }
    }

    private static async Task<int> RunPrimaryAsync(WebApplication app, ILogger logger, Upgrade.UpgradeSuccessor? successor, CancellationToken cancellationToken)
    {
        var primary = app.Services.GetService<DefussPrimary>();
        if (primary is null)
        {
            return Fail(logger, "RunDefussAsync needs builder.AddDefuss() (or services.AddDefuss()) before the app is built.", successor);
        }

        DefussOptions options;
        try
        {
            options = app.Services.GetRequiredService<IOptions<DefussOptions>>().Value;
        }
        catch (InvalidOperationException exception)
        {
            return Fail(logger, exception.Message, successor);
        }

        var akka = app.Services.GetRequiredService<AkkaConfigurationBuilder>();
        if (DefussAkkaSetup.Of(akka) is not { } setup)
        {
            // The app's own actor system, whose AddAkka did not ask for Defuss: join it rather than refuse to start.
            PrimaryLog.JoinedAppActorSystem(logger);
            akka.WithDefuss();
            setup = DefussAkkaSetup.Of(akka)!;
        }

        setup.Configure?.Invoke(options);
        var errors = DefussOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            return Fail(logger, string.Join(Environment.NewLine, errors), successor);
        }

        SocketEngine.PreferInlineCompletions(options);
        akka.AddHocon(DefussHocon.ForPrimary(options), HoconAddMode.Prepend);
        return await primary.RunAsync(app, options, cancellationToken, successor);
    }

    private static int Fail(ILogger logger, string reason, Upgrade.UpgradeSuccessor? successor = null)
    {
        PrimaryLog.StartupFailed(logger, reason);
        successor?.ReportFailure(reason);
        if (!logger.IsEnabled(LogLevel.Critical))
        {
#pragma warning disable RS0030 // At start, on the app's own thread, before any socket: the one way left to say why.
            Console.Error.WriteLine("Defuss cannot start: " + reason);
#pragma warning restore RS0030
        }

        return 1;
    }
}
