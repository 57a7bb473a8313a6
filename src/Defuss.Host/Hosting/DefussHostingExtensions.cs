using Defuss.Processes;
using Defuss.Telemetry;
using Defuss.Worker.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Defuss.Hosting;

/// <summary>The two lines that put an app on every core: <c>builder.AddDefuss()</c> and <c>app.RunDefussAsync()</c>.</summary>
public static class DefussHostingExtensions
{
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
            DefussWorkerHosting.ConfigureWorker(
                builder,
                WorkerSettings.FromEnvironment(),
                provider => provider.GetRequiredService<IOptions<DefussOptions>>().Value.WorkerEndpointConfiguration);
        }

        return builder;
    }

    /// <summary>Registers Defuss's options (without binding configuration; <c>builder.AddDefuss()</c> binds them).</summary>
    public static IServiceCollection AddDefuss(this IServiceCollection services, Action<DefussOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DefussOptions>();
        services.AddSingleton<DefussControl>();
        services.AddSingleton(provider => new DefussMetrics(provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<IDefussControl>(provider => provider.GetRequiredService<DefussControl>());
        if (configure is not null)
        {
            services.PostConfigure(configure);
        }

        return services;
    }

    /// <summary>
    /// In the primary: supervises the workers and runs the front door until SIGINT/SIGTERM (or the token), then stops
    /// them; an invalid setting or a busy port sets exit code 1. In a worker: serves the app on its private endpoint.
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

    /// <summary>
    /// Serves the app until the primary says stop or goes away. A terminal's Ctrl+C reaches the whole process group;
    /// workers ignore SIGINT (their host lifetime is <c>WorkerLifetime</c>) so that the primary decides the order of the drain.
    /// </summary>
    private static async Task RunWorkerAsync(WebApplication app, CancellationToken cancellationToken)
    {
        try
        {
            await ((IHost)app).RunAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Told to stop (or the primary went away) before the app had finished starting: a quiet exit.
        }
    }

    private static async Task<int> RunPrimaryAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggerFactory.CreateLogger("Defuss");
        DefussOptions options;
        try
        {
            options = app.Services.GetRequiredService<IOptions<DefussOptions>>().Value;
        }
        catch (InvalidOperationException exception)
        {
            return Fail(logger, exception.Message);
        }

        var errors = DefussOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            return Fail(logger, string.Join(Environment.NewLine, errors));
        }

        SocketEngine.PreferInlineCompletions(options);
        var launcher = new OsWorkerProcessLauncher(WorkerCommandLine.Current(), loggerFactory.CreateLogger<OsWorkerProcessLauncher>());
        await using var primary = new DefussPrimary(options, loggerFactory, launcher, app.Services.GetRequiredService<DefussControl>(), app.Services.GetRequiredService<DefussMetrics>());
        return await primary.RunAsync(cancellationToken);
    }

    private static int Fail(ILogger logger, string reason)
    {
        PrimaryLog.StartupFailed(logger, reason);
        if (!logger.IsEnabled(LogLevel.Critical))
        {
            Console.Error.WriteLine("Defuss cannot start: " + reason);
        }

        return 1;
    }
}
