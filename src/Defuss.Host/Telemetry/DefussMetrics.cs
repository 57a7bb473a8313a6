using System.Diagnostics.Metrics;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;

namespace Defuss.Telemetry;

/// <summary>
/// The <c>Defuss</c> meter: the workers' lifecycle, the routing strategy's failures and the front door's connections as
/// counters and gauges. OpenTelemetry picks it up with
/// <c>AddMeter("Defuss")</c>; nothing is recorded anywhere unless a listener is attached.
/// </summary>
internal sealed partial class DefussMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Defuss";

    private readonly Meter _meter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _exits;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _stale;
    private readonly Counter<long> _givenUp;
    private readonly Counter<long> _draining;
    private readonly Counter<long> _strategyFailures;
    private readonly Counter<long> _handedOff;
    private readonly Counter<long> _returned;
    private Func<int>? _activeConnections;
    private readonly HashSet<int> _ready = [];
    private int _readyCount;

    public DefussMetrics(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _started = _meter.CreateCounter<long>("defuss.worker.starts", "{process}", "Worker processes started.");
        _exits = _meter.CreateCounter<long>("defuss.worker.exits", "{process}", "Worker processes that exited, by whether Defuss asked them to and how they ended.");
        _restarts = _meter.CreateCounter<long>("defuss.worker.restarts", "{process}", "Respawns scheduled after a worker exited or failed to start.");
        _stale = _meter.CreateCounter<long>("defuss.worker.stale", "{process}", "Workers replaced because their heartbeat stopped.");
        _givenUp = _meter.CreateCounter<long>("defuss.worker.given_up", "{worker}", "Workers given up after exhausting their restart budget.");
        _draining = _meter.CreateCounter<long>("defuss.worker.draining", "{process}", "Worker processes told to drain (shutdown, replacement) or stopping by themselves.");
        _strategyFailures = _meter.CreateCounter<long>("defuss.routing.strategy_failures", "{connection}", "Connections the routing strategy failed to route (it threw, timed out or chose a worker that is not a candidate), routed round robin instead.");
        _meter.CreateObservableGauge("defuss.workers.ready", () => Volatile.Read(ref _readyCount), "{worker}", "Workers that are ready and routable.");
        _handedOff = _meter.CreateCounter<long>("defuss.connections.handed_off", "{connection}", "Client sockets handed to a worker (Defuss:Delivery handoff).");
        _returned = _meter.CreateCounter<long>("defuss.connections.returned", "{connection}", "Handed-off sockets a worker gave back unserved (it was stopping, or near its descriptor limit), routed again.");
        _meter.CreateObservableGauge("defuss.connections.active", () => Volatile.Read(ref _activeConnections)?.Invoke() ?? 0, "{connection}", "Client connections the front door has open now, proxied or handed off and not yet ended.");
    }

    /// <summary>Records one worker event; called on the event actor, one event at a time.</summary>
    public void Record(WorkerEvent workerEvent)
    {
        switch (workerEvent)
        {
            case WorkerStarted:
                _started.Add(1);
                break;
            case WorkerReady ready:
                SetReady(ready.Index, true);
                break;
            case WorkerExited exited:
                SetReady(exited.Index, false);
                if (_exits.Enabled)
                {
                    _exits.Add(1, new("defuss.worker.exit.expected", exited.Expected), new("defuss.worker.exit.how", exited.Exit.Signal ?? "exit_code"));
                }

                break;
            case WorkerRespawnScheduled:
                _restarts.Add(1);
                break;
            case WorkerStale stale:
                SetReady(stale.Index, false);
                _stale.Add(1);
                break;
            case WorkerDraining draining:
                SetReady(draining.Index, false);
                _draining.Add(1);
                break;
            case WorkerPoolScaled scaled:
                ScaledPool(scaled.Direction);
                break;
            case WorkerGaveUp gaveUp:
                SetReady(gaveUp.Index, false);
                _givenUp.Add(1);
                break;
        }
    }

    /// <summary>Records one routing strategy failure, tagged with its kind (<c>throw</c>, <c>timeout</c> or <c>invalid</c>).</summary>
    public void Record(RoutingStrategyFailed failed)
    {
        if (_strategyFailures.Enabled)
        {
            _strategyFailures.Add(1, new KeyValuePair<string, object?>("defuss.routing.strategy_failure.kind", KindTag(failed.Kind)));
        }
    }

    /// <summary>A client socket went to a worker.</summary>
    public void ConnectionHandedOff()
    {
        _handedOff.Add(1);
        ConnectionDelivered("handoff");
    }

    /// <summary>A stopping worker gave a handed-off socket back.</summary>
    public void ConnectionReturned() => _returned.Add(1);

    /// <summary>Where <c>defuss.connections.active</c> reads from: the front door, once it listens.</summary>
    public void ObserveConnections(Func<int> activeConnections) => Volatile.Write(ref _activeConnections, activeConnections);

    public void Dispose() => _meter.Dispose();

    private static string KindTag(RoutingFailureKind kind) => kind switch
    {
        RoutingFailureKind.Threw => "throw",
        RoutingFailureKind.TimedOut => "timeout",
        _ => "invalid",
    };

    private void SetReady(int index, bool ready)
    {
        if (ready ? _ready.Add(index) : _ready.Remove(index))
        {
            Volatile.Write(ref _readyCount, _ready.Count);
        }
    }
}
