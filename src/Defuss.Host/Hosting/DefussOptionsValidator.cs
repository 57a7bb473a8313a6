using System.Globalization;
using System.Net;
using Defuss.Actors.Routing;

namespace Defuss.Hosting;

/// <summary>Checks <see cref="DefussOptions"/> and reports every problem at once, each naming the setting and its value.</summary>
internal static class DefussOptionsValidator
{
    /// <summary>The most workers Defuss starts; more is surely a typo.</summary>
    public const int MaxWorkers = 1024;

    /// <summary>The most workers the front door tries for one connection: each attempt may wait for the 2 s connect timeout.</summary>
    public const int MaxConnectAttempts = 16;

    /// <summary>The largest <c>MaxConnections</c>: beyond any descriptor limit Linux allows a process (2^20 by default).</summary>
    public const int MaxMaxConnections = 16 * 1024 * 1024;

    public static IReadOnlyList<string> Validate(DefussOptions options) => Validate(options, () => DeliveryModes.WhyHandoffUnsupported);

    /// <summary>Validates <paramref name="options"/>; <paramref name="whyHandoffUnsupported"/> says whether handoff works here.</summary>
    public static IReadOnlyList<string> Validate(DefussOptions options, Func<string?> whyHandoffUnsupported)
    {
        var errors = new List<string>();

        void Check(bool ok, string setting, object? value, string expectation)
        {
            if (!ok)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Defuss:{setting} = '{value}' is invalid: {expectation}."));
            }
        }

        Check(TryParseAddress(options.Host, out _), nameof(options.Host), options.Host, "expected an IP address such as 0.0.0.0, 127.0.0.1 or ::");
        Check(options.Port is >= 0 and <= 65535, nameof(options.Port), options.Port, "expected a port from 1 to 65535 (or 0 for any free port)");
        Check(TryParseAddress(options.WorkerHost, out _), nameof(options.WorkerHost), options.WorkerHost, "expected an IP address such as 127.0.0.1");

        var workersOk = TryResolveWorkers(options.Workers, out var workers);
        Check(workersOk, nameof(options.Workers), options.Workers, $"expected 'auto' or a whole number from 1 to {MaxWorkers}");
        if (options.BaseWorkerPort is { } basePort)
        {
            var last = basePort + (workersOk ? workers : 1) - 1;
            Check(basePort is >= 1 and <= 65535 && last <= 65535, nameof(options.BaseWorkerPort), basePort, $"expected a port from 1 to 65535 that leaves room for {(workersOk ? workers : 1)} workers");
            Check(options.Port == 0 || options.Port < basePort || options.Port > last, nameof(options.BaseWorkerPort), basePort, $"the worker ports {basePort}-{last} include the public port {options.Port}");
        }

        Check(options.RequestInspectionTimeout > TimeSpan.Zero && options.RequestInspectionTimeout <= TimeSpan.FromMinutes(1), nameof(options.RequestInspectionTimeout), options.RequestInspectionTimeout, "expected more than 0 and at most 1 minute");
        Check(options.MaxHeaderBytes is >= 256 and <= 1024 * 1024, nameof(options.MaxHeaderBytes), options.MaxHeaderBytes, "expected from 256 bytes to 1 MiB");
        Check(options.WorkerHeartbeatInterval >= TimeSpan.FromMilliseconds(10), nameof(options.WorkerHeartbeatInterval), options.WorkerHeartbeatInterval, "expected at least 10 ms");
        Check(options.WorkerHeartbeatStaleAfter > options.WorkerHeartbeatInterval, nameof(options.WorkerHeartbeatStaleAfter), options.WorkerHeartbeatStaleAfter, $"expected more than WorkerHeartbeatInterval ({options.WorkerHeartbeatInterval})");
        Check(options.GracefulShutdownTimeout >= TimeSpan.Zero, nameof(options.GracefulShutdownTimeout), options.GracefulShutdownTimeout, "expected 0 or more");
        Check(options.StartupTimeout > TimeSpan.Zero, nameof(options.StartupTimeout), options.StartupTimeout, "expected more than 0");
        Check(options.RestartBackoffMin > TimeSpan.Zero, nameof(options.RestartBackoffMin), options.RestartBackoffMin, "expected more than 0");
        Check(options.RestartBackoffMax >= options.RestartBackoffMin, nameof(options.RestartBackoffMax), options.RestartBackoffMax, $"expected at least RestartBackoffMin ({options.RestartBackoffMin})");
        Check(options.RestartBackoffResetAfter > TimeSpan.Zero, nameof(options.RestartBackoffResetAfter), options.RestartBackoffResetAfter, "expected more than 0");
        Check(options.MaxRestarts >= 0, nameof(options.MaxRestarts), options.MaxRestarts, "expected 0 or more");
        Check(options.MaxRestartsWindow > TimeSpan.Zero, nameof(options.MaxRestartsWindow), options.MaxRestartsWindow, "expected more than 0");
        Check(options.MaxWorkerMemory is null or >= 16L * 1024 * 1024, nameof(options.MaxWorkerMemory), options.MaxWorkerMemory, "expected at least 16 MiB (16777216 bytes), or unset");
        Check(options.EjectionPeriod >= TimeSpan.Zero, nameof(options.EjectionPeriod), options.EjectionPeriod, "expected 0 (off) or more");
        Check(options.ConnectAttempts is >= 1 and <= MaxConnectAttempts, nameof(options.ConnectAttempts), options.ConnectAttempts, $"expected a whole number from 1 to {MaxConnectAttempts}");
        Check(options.WorkerKillGrace >= TimeSpan.Zero, nameof(options.WorkerKillGrace), options.WorkerKillGrace, "expected 0 or more");
        Check(options.RoutingTimeout > TimeSpan.Zero && options.RoutingTimeout <= TimeSpan.FromSeconds(1), nameof(options.RoutingTimeout), options.RoutingTimeout, "expected more than 0 and at most 1 s");
        Check(RoutingKey.TryParse(options.ConsistentHashKey, out _), nameof(options.ConsistentHashKey), options.ConsistentHashKey, "expected 'header:Name', 'cookie:name' or 'client-address'");
        Check(options.MaxConnections is null or >= 1 and <= MaxMaxConnections, nameof(options.MaxConnections), options.MaxConnections, $"expected a whole number from 1 to {MaxMaxConnections}, or unset (derived from the descriptor limit)");
        Check(options.ProxyIdleTimeout >= TimeSpan.Zero && options.ProxyIdleTimeout <= TimeSpan.FromDays(1), nameof(options.ProxyIdleTimeout), options.ProxyIdleTimeout, "expected 0 (off) or more, at most 1 day");
        Check(options.HalfCloseTimeout >= TimeSpan.Zero && options.HalfCloseTimeout <= TimeSpan.FromDays(1), nameof(options.HalfCloseTimeout), options.HalfCloseTimeout, "expected 0 (off) or more, at most 1 day");
        Check(options.CustomRouter is not null || options.CustomRouterType is not null || LoadBalancers.IsKnown(options.LoadBalancer), nameof(options.LoadBalancer), options.LoadBalancer, "expected one of " + string.Join(", ", LoadBalancers.All));
        Check(DeliveryModes.IsKnown(options.Delivery), nameof(options.Delivery), options.Delivery, "expected one of " + string.Join(", ", DeliveryModes.All));
        if (DeliveryModes.Is(options.Delivery, DeliveryModes.Handoff))
        {
            Check(options.BaseWorkerPort is null, nameof(options.Delivery), options.Delivery, $"handoff serves workers on Unix sockets, and BaseWorkerPort ({options.BaseWorkerPort}) puts them on TCP ports: unset BaseWorkerPort, or use Proxy");
            var whyNot = whyHandoffUnsupported();
            Check(whyNot is null, nameof(options.Delivery), options.Delivery, whyNot + "; use Auto or Proxy");
        }

        if (options.Elastic)
        {
            var min = options.MinWorkers ?? 1;
            var max = options.MaxWorkers ?? Math.Max(min, Environment.ProcessorCount);
            Check(min >= 1, nameof(options.MinWorkers), options.MinWorkers, "expected 1 or more");
            Check(max <= MaxWorkers, nameof(options.MaxWorkers), options.MaxWorkers, $"expected at most {MaxWorkers}");
            Check(min <= max, nameof(options.MinWorkers), options.MinWorkers, $"expected at most MaxWorkers ({max})");
            Check(string.Equals(options.Workers.Trim(), "auto", StringComparison.OrdinalIgnoreCase), nameof(options.Workers), options.Workers, "a fixed size cannot be given with MinWorkers/MaxWorkers: set either Workers (a fixed pool) or MinWorkers and MaxWorkers (an elastic one)");
            Check(options.ScaleUpAfter > TimeSpan.Zero, nameof(options.ScaleUpAfter), options.ScaleUpAfter, "expected more than 0");
            Check(options.ScaleDownAfter > TimeSpan.Zero, nameof(options.ScaleDownAfter), options.ScaleDownAfter, "expected more than 0");
            Check(options.ScaleDownCpuPercent >= 0 && options.ScaleDownCpuPercent < options.ScaleUpCpuPercent, nameof(options.ScaleDownCpuPercent), options.ScaleDownCpuPercent, $"expected 0 or more, and below ScaleUpCpuPercent ({options.ScaleUpCpuPercent}), so that a steady load does not flap");
            Check(options.ScaleDownRequestsInFlight >= 0 && options.ScaleDownRequestsInFlight < options.ScaleUpRequestsInFlight, nameof(options.ScaleDownRequestsInFlight), options.ScaleDownRequestsInFlight, $"expected 0 or more, and below ScaleUpRequestsInFlight ({options.ScaleUpRequestsInFlight})");
        }

        Check(options.AdminUrl is null || Admin.AdminUrl.TryParse(options.AdminUrl, out _), nameof(options.AdminUrl), options.AdminUrl, "expected an http URL with an IP address or localhost and a port, such as http://127.0.0.1:9464 (https is not served: put a TLS proxy in front), or unset (off)");
        Check(options.AdminToken is null || (options.AdminToken.Length >= 16 && !options.AdminToken.Any(char.IsWhiteSpace)), nameof(options.AdminToken), options.AdminToken is null ? null : "(hidden)", "expected at least 16 characters and no whitespace, or unset");
        var poolFloor = options.Elastic ? options.MinWorkers ?? 1 : workers;
        Check(options.MinReadyWorkers >= 0 && (!workersOk || options.MinReadyWorkers <= poolFloor), nameof(options.MinReadyWorkers), options.MinReadyWorkers, $"expected from 0 to the number of workers ({(workersOk ? poolFloor : MaxWorkers)})");
        foreach (var (key, value) in options.WorkerEnv)
        {
            Check(key.Length > 0 && !key.Contains('=', StringComparison.Ordinal), nameof(options.WorkerEnv), key, "an environment variable name must be non-empty and contain no '='");
            Check(!key.StartsWith("DEFUSS_", StringComparison.OrdinalIgnoreCase), nameof(options.WorkerEnv), key, "DEFUSS_* variables are set by Defuss itself");
        }

        return errors;
    }

    public static bool TryResolveWorkers(string? workers, out int count)
    {
        if (string.Equals(workers?.Trim(), "auto", StringComparison.OrdinalIgnoreCase))
        {
            count = Environment.ProcessorCount;
            return true;
        }

        return int.TryParse(workers, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is >= 1 and <= MaxWorkers;
    }

    public static bool TryParseAddress(string? text, out IPAddress address)
    {
        if (string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
            return true;
        }

        return IPAddress.TryParse(text, out address!);
    }
}
