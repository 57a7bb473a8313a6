using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Defuss.Telemetry;
using Defuss.Worker.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defuss.Hosting;

/// <summary>
/// Puts Defuss into an Akka.Hosting app's own actor system:
/// <c>builder.Services.AddAkka("app", (akka, sp) => akka.WithDefuss(d => d.UseRouter&lt;MyRouter&gt;()))</c>.
/// </summary>
/// <remarks>
/// The same program runs as the primary and as every worker. In the primary, <see cref="WithDefuss"/> starts Defuss's
/// supervisor and router in this system (reach them with <c>IRequiredActor&lt;DefussSupervisor&gt;</c> and
/// <c>IRequiredActor&lt;DefussRouter&gt;</c>); in a worker it does nothing, since workers never run Defuss's actors. The
/// app's own <c>WithActors</c> run in both; <see cref="WithWorkerActors(AkkaConfigurationBuilder, ActorStarterWithResolver)"/>
/// starts actors in the workers only.
/// </remarks>
public static class DefussAkkaExtensions
{
    /// <summary>
    /// Runs Defuss's supervisor and router in this actor system (primary only). <paramref name="configure"/> applies to
    /// <see cref="DefussOptions"/> after the configuration and <c>AddDefuss</c>'s own delegate, for instance
    /// <c>d =&gt; d.UseRouter&lt;MyRouter&gt;()</c>, whose router Akka's dependency injection creates. Needs
    /// <c>builder.AddDefuss()</c>, and the primary must run through <c>RunDefussAsync</c>.
    /// </summary>
    public static AkkaConfigurationBuilder WithDefuss(this AkkaConfigurationBuilder builder, Action<DefussOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (WorkerSettings.IsWorkerProcess())
        {
            return builder;
        }

        if (DefussAkkaSetup.Of(builder) is { } existing)
        {
            existing.Configure += configure;
            return builder;
        }

        builder.AddSetup(new DefussAkkaSetup { Configure = configure });
        return builder.WithActors(StartDefussActors);
    }

    /// <summary>Starts actors in the worker processes only: the primary, which runs no endpoint, never starts them.</summary>
    public static AkkaConfigurationBuilder WithWorkerActors(this AkkaConfigurationBuilder builder, ActorStarterWithResolver starter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(starter);
        return WorkerSettings.IsWorkerProcess() ? builder.WithActors(starter) : builder;
    }

    /// <summary>Starts actors in the worker processes only: the primary, which runs no endpoint, never starts them.</summary>
    public static AkkaConfigurationBuilder WithWorkerActors(this AkkaConfigurationBuilder builder, Action<ActorSystem, IActorRegistry, IDependencyResolver> starter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(starter);
        return WorkerSettings.IsWorkerProcess() ? builder.WithActors(starter) : builder;
    }

    /// <summary>Starts actors in the worker processes only: the primary, which runs no endpoint, never starts them.</summary>
    public static AkkaConfigurationBuilder WithWorkerActors(this AkkaConfigurationBuilder builder, Action<ActorSystem, IActorRegistry> starter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(starter);
        return WorkerSettings.IsWorkerProcess() ? builder.WithActors(starter) : builder;
    }

    private static void StartDefussActors(ActorSystem system, IActorRegistry registry, IDependencyResolver resolver)
    {
        if (resolver.GetService<DefussPrimary>() is { } primary)
        {
            primary.StartActors(system, registry, resolver);
            return;
        }

        var logger = resolver.GetService<ILoggerFactory>()?.CreateLogger("Defuss");
        if (logger is not null)
        {
            PrimaryLog.ActorsNotStarted(logger, "WithDefuss needs builder.AddDefuss() in the same app");
        }
    }
}

/// <summary>The marker of Defuss's worker supervisor in the actor registry: <c>IRequiredActor&lt;DefussSupervisor&gt;</c>.</summary>
public sealed class DefussSupervisor
{
    private DefussSupervisor()
    {
    }
}

/// <summary>The marker of Defuss's router in the actor registry: <c>IRequiredActor&lt;DefussRouter&gt;</c>.</summary>
public sealed class DefussRouter
{
    private DefussRouter()
    {
    }
}
