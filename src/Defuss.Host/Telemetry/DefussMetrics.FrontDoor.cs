using System.Diagnostics.Metrics;

namespace Defuss.Telemetry;

internal sealed partial class DefussMetrics
{
    private Counter<long>? _rejected;
    private Counter<long>? _proxyTimeouts;

    /// <summary>A new connection was turned away; <paramref name="reason"/> tags it (<c>capacity</c>).</summary>
    public void ConnectionRejected(string reason)
    {
        var counter = _rejected ??= _meter.CreateCounter<long>(
            "defuss.connections.rejected", "{connection}", "New connections the front door turned away at once (a 503, or closed), by reason.");
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>("defuss.connection.reject.reason", reason));
        }
    }

    /// <summary>A proxied connection was closed by a timeout; <paramref name="timeout"/> tags it (<c>idle</c> or <c>half_close</c>).</summary>
    public void ProxyTimedOut(string timeout)
    {
        var counter = _proxyTimeouts ??= _meter.CreateCounter<long>(
            "defuss.connections.timed_out", "{connection}", "Proxied connections closed because no byte moved (idle) or one side stayed half-closed too long (half_close).");
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>("defuss.connection.timeout", timeout));
        }
    }
}
