using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Defuss.Actors;

/// <summary>What an <see cref="ActorSystem"/> takes from its host.</summary>
public sealed record ActorSystemSettings
{
    /// <summary>The clock of every timer, ask and restart window. Defaults to <see cref="TimeProvider.System"/>; tests pass a manual one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where the kernel logs failures, dead letters and unhandled messages. Defaults to no logging.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
