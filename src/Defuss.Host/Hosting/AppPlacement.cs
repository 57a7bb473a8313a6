using Akka.Actor;
using Akka.Hosting;
using Defuss.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Defuss.Hosting;

/// <summary>
/// The same program runs as the primary and as every worker, so the app's own actors (<c>WithActors</c>) and hosted
/// services (<c>AddHostedService</c>) start in the primary too. They are not silently doubled: once the host has started,
/// the primary names them in one log line, with the one-line ways to keep them in the workers.
/// </summary>
internal static class AppPlacement
{
    private static readonly string[] FrameworkNamespaces = ["Microsoft.", "System.", "Akka.", "OpenTelemetry.", "Serilog."];

    private static readonly HashSet<System.Reflection.Assembly> DefussAssemblies =
        [typeof(AppPlacement).Assembly, typeof(Defuss.Worker.Runtime.WorkerSettings).Assembly, typeof(Defuss.Actors.Workers.WorkerEvent).Assembly];

    /// <summary>Logs the app's actors and hosted services that run in this primary, if there are any.</summary>
    public static void LogWhatRunsInThePrimary(IServiceProvider services, ILogger logger)
    {
        var actors = services.GetService<ActorSystem>() is { } system ? AppActors(system) : [];
        var hostedServices = AppHostedServices(services);
        if (actors.Count > 0 || hostedServices.Count > 0)
        {
            PrimaryLog.AppRunsInThePrimary(
                logger,
                actors.Count == 0 ? "none" : string.Join(", ", actors),
                hostedServices.Count == 0 ? "none" : string.Join(", ", hostedServices));
        }
    }

    /// <summary>The paths of the app's top-level actors in <paramref name="system"/>: every one that is not Defuss's.</summary>
    internal static IReadOnlyList<string> AppActors(ActorSystem system) =>
        system is ExtendedActorSystem { Guardian: ActorRefWithCell guardian }
            ? guardian.Children
                .Where(child => !child.Path.Name.StartsWith("defuss-", StringComparison.Ordinal))
                .Select(child => child.Path.ToStringWithoutAddress())
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    /// <summary>The type names of the app's own hosted services: every one that is neither the framework's nor Defuss's.</summary>
    internal static IReadOnlyList<string> AppHostedServices(IServiceProvider services) =>
        services.GetServices<IHostedService>()
            .Select(service => service.GetType())
            .Where(type => !DefussAssemblies.Contains(type.Assembly)
                && !FrameworkNamespaces.Any(prefix => (type.Namespace + ".").StartsWith(prefix, StringComparison.Ordinal)))
            .Select(type => type.FullName ?? type.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
}
