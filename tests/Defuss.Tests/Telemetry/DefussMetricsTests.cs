using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;
using Defuss.Telemetry;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Telemetry;

/// <remarks>
/// In the real-process collection: its meters are named <c>Defuss</c>, like the primary's that the OpenTelemetry test
/// exports, and OpenTelemetry listens to every meter of that name in the process.
/// </remarks>
[Collection(Defuss.Tests.Integration.ShowcaseCollection.Name)]
public sealed class DefussMetricsTests : IDisposable
{
    private readonly MetricsRecorder _recorder = new();
    private readonly DefussMetrics _metrics;

    public DefussMetricsTests() => _metrics = new DefussMetrics(_recorder.MeterFactory);

    public void Dispose()
    {
        _metrics.Dispose();
        _recorder.Dispose();
    }

    private long Total(string instrument) => _recorder.Total(instrument);

    private long ReadyGauge() => _recorder.Observe("defuss.workers.ready");

    [Fact]
    public void Record_CountsTheWorkersLifecycle()
    {
        _metrics.Record(new WorkerStarted(0, 1, 10, "unix:/w0"));
        _metrics.Record(new WorkerStarted(1, 1, 11, "unix:/w1"));
        _metrics.Record(new WorkerReady(0, 1, 10, "unix:/w0"));
        _metrics.Record(new WorkerReady(1, 1, 11, "unix:/w1"));
        ReadyGauge().Should().Be(2);

        _metrics.Record(new WorkerDraining(0, 1, 10, "Defuss is stopping"));
        ReadyGauge().Should().Be(1);
        _metrics.Record(new WorkerStale(1, 1, 11, TimeSpan.FromSeconds(5)));
        _metrics.Record(new WorkerExited(1, 1, 11, new WorkerExit(137, "SIGKILL"), Expected: false, []));
        _metrics.Record(new WorkerRespawnScheduled(1, 1, TimeSpan.FromMilliseconds(100)));
        _metrics.Record(new WorkerGaveUp(0, 1, 10, new WorkerExit(13, null), 10, TimeSpan.FromMinutes(1), []));

        Total("defuss.worker.starts").Should().Be(2);
        Total("defuss.worker.stale").Should().Be(1);
        Total("defuss.worker.restarts").Should().Be(1);
        Total("defuss.worker.given_up").Should().Be(1);
        Total("defuss.worker.draining").Should().Be(1);
        var exit = _recorder.Measurements.Single(m => m.Instrument == "defuss.worker.exits");
        exit.Tags.Should().Contain(new KeyValuePair<string, object?>("defuss.worker.exit.expected", false));
        exit.Tags.Should().Contain(new KeyValuePair<string, object?>("defuss.worker.exit.how", "SIGKILL"));
        ReadyGauge().Should().Be(0);
    }

    [Fact]
    public void Record_CountsRoutingStrategyFailuresByKind()
    {
        _metrics.Record(new RoutingStrategyFailed("CanaryRouter", RoutingFailureKind.Threw));
        _metrics.Record(new RoutingStrategyFailed("DelegateRouter", RoutingFailureKind.TimedOut));
        _metrics.Record(new RoutingStrategyFailed("DelegateRouter", RoutingFailureKind.TimedOut));
        _metrics.Record(new RoutingStrategyFailed("CanaryRouter", RoutingFailureKind.Invalid));

        Total("defuss.routing.strategy_failures").Should().Be(4);
        _recorder.Measurements.Where(m => m.Instrument == "defuss.routing.strategy_failures")
            .Select(m => m.Tags.Should().ContainSingle().Subject)
            .Should().Equal(
                new KeyValuePair<string, object?>("defuss.routing.strategy_failure.kind", "throw"),
                new KeyValuePair<string, object?>("defuss.routing.strategy_failure.kind", "timeout"),
                new KeyValuePair<string, object?>("defuss.routing.strategy_failure.kind", "timeout"),
                new KeyValuePair<string, object?>("defuss.routing.strategy_failure.kind", "invalid"));
    }

    [Fact]
    public void FrontDoorConnections_AreCountedAndTheActiveOnesObserved()
    {
        var active = 0;
        _metrics.ObserveConnections(() => active);

        _metrics.ConnectionHandedOff();
        _metrics.ConnectionHandedOff();
        _metrics.ConnectionReturned();
        active = 7;

        Total("defuss.connections.handed_off").Should().Be(2);
        Total("defuss.connections.returned").Should().Be(1);
        _recorder.Observe("defuss.connections.active").Should().Be(7);
    }
}
