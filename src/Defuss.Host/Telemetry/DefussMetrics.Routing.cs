using System.Diagnostics.Metrics;

namespace Defuss.Telemetry;

internal sealed partial class DefussMetrics
{
    /// <summary>
    /// Bucket bounds, in seconds, for the routing and head-sniff durations: from 10 µs (a head that was whole on the first
    /// peek, an answer from memory) up to the seconds a slow client or a stalled router can take.
    /// </summary>
    private static readonly double[] DecisionBuckets = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private Counter<long>? _accepted;
    private Counter<long>? _delivered;
    private Counter<long>? _serviceUnavailable;
    private Counter<long>? _connectFailures;
    private Counter<long>? _ejections;
    private Counter<long>? _poolScaled;

    /// <summary>The elastic pool (or a resize) added or retired a worker: <paramref name="direction"/> is <c>up</c> or <c>down</c>.</summary>
    public void ScaledPool(string direction) => AddTagged(
        ref _poolScaled, "defuss.pool.scaled", "{worker}", "Workers the pool added (up) or retired (down): an elastic pool following the load, or a resize.", "defuss.pool.scale.direction", direction);
    private Histogram<double>? _routingDuration;
    private Histogram<double>? _sniffDuration;

    /// <summary>The front door accepted a connection (before any capacity check).</summary>
    public void ConnectionAccepted() =>
        (_accepted ??= _meter.CreateCounter<long>("defuss.connections.accepted", "{connection}", "Client connections the front door accepted.")).Add(1);

    /// <summary>A worker took a connection, by <paramref name="mode"/> (<c>proxy</c> or <c>handoff</c>).</summary>
    public void ConnectionDelivered(string mode) => AddTagged(
        ref _delivered, "defuss.connections.delivered", "{connection}", "Client connections a worker took, by delivery mode (proxy or handoff).", "defuss.delivery", mode);

    /// <summary>The front door answered <c>503</c>, for <paramref name="reason"/> (<c>no_backend</c> or <c>capacity</c>).</summary>
    public void ServiceUnavailableSent(string reason) => AddTagged(
        ref _serviceUnavailable, "defuss.responses.service_unavailable", "{response}", "503 answers the front door sent itself, by reason (no_backend: no worker could take the connection; capacity: MaxConnections reached).", "defuss.reason", reason);

    /// <summary>The front door could not reach worker <paramref name="workerId"/> for a connection.</summary>
    public void BackendConnectFailed(string workerId) => AddTagged(
        ref _connectFailures, "defuss.backend.connect_failures", "{attempt}", "Attempts to deliver a connection to a worker that failed before the worker took anything (refused, unreachable), by worker.", "defuss.worker", workerId);

    /// <summary>The router left worker <paramref name="workerId"/> out of routing for its ejection period.</summary>
    public void BackendEjected(string workerId) => AddTagged(
        ref _ejections, "defuss.backend.ejections", "{ejection}", "Workers the router left out of routing for Defuss:EjectionPeriod after the front door could not reach them, by worker.", "defuss.worker", workerId);

    /// <summary>How long a connection waited, from its accept, for its head to be sniffed.</summary>
    public void HeadSniffed(TimeSpan wait)
    {
        var histogram = _sniffDuration ??= _meter.CreateHistogram("defuss.head_sniff.duration", "s", "From a connection's accept until its request head was read (or the inspection timeout passed).", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DecisionBuckets });
        if (histogram.Enabled)
        {
            histogram.Record(wait.TotalSeconds);
        }
    }

    /// <summary>How long the routing decision took, from a connection's accept until the router chose its worker.</summary>
    public void Routed(TimeSpan decision)
    {
        var histogram = _routingDuration ??= _meter.CreateHistogram("defuss.routing.duration", "s", "From a connection's accept until the router chose its worker: the head sniff and the routing ask.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DecisionBuckets });
        if (histogram.Enabled)
        {
            histogram.Record(decision.TotalSeconds);
        }
    }

    /// <summary>Adds one to the counter in <paramref name="counter"/> (created on first use), tagged <paramref name="tag"/> = <paramref name="value"/>.</summary>
    private void AddTagged(ref Counter<long>? counter, string name, string unit, string description, string tag, string value)
    {
        var created = counter ??= _meter.CreateCounter<long>(name, unit, description);
        if (created.Enabled)
        {
            created.Add(1, new KeyValuePair<string, object?>(tag, value));
        }
    }
}
