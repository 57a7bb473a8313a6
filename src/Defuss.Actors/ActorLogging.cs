using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Defuss.Actors;

/// <summary>
/// Where Defuss's actors write their own log lines (with stable event ids): the actor system's
/// <see cref="ILoggerFactory"/>, which Akka.Hosting puts into every system it creates as a <see cref="LoggerFactorySetup"/>.
/// </summary>
internal static class ActorLogging
{
    /// <summary>The logger factory of <paramref name="system"/>, or one that logs nothing when it has none.</summary>
    public static ILoggerFactory LoggerFactoryOf(ActorSystem system)
    {
        var setup = system.Settings.Setup.Get<LoggerFactorySetup>();
        return setup.HasValue ? setup.Value.LoggerFactory : NullLoggerFactory.Instance;
    }
}
