using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Defuss.Hosting;

/// <summary>The two lines that put an app on every core: <c>builder.AddDefuss()</c> and <c>app.RunDefussAsync()</c>.</summary>
public static class DefussHostingExtensions
{
    /// <summary>Adds Defuss to the app, binding <see cref="DefussOptions"/> from the <c>Defuss</c> section, then <paramref name="configure"/>.</summary>
    public static WebApplicationBuilder AddDefuss(this WebApplicationBuilder builder, Action<DefussOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDefuss(configure);
        builder.Services.Configure<DefussOptions>(builder.Configuration.GetSection(DefussOptions.SectionName));
        return builder;
    }

    /// <summary>Registers Defuss's options; <see cref="AddDefuss(WebApplicationBuilder, Action{DefussOptions}?)"/> also binds them.</summary>
    public static IServiceCollection AddDefuss(this IServiceCollection services, Action<DefussOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DefussOptions>();
        if (configure is not null)
        {
            services.PostConfigure(configure);
        }

        return services;
    }

    /// <summary>In the primary: supervises the workers and runs the front door until shutdown. In a worker: serves the app.</summary>
    public static async Task RunDefussAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
    }
}
