using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Defuss.Actors.Workers;
using Defuss.Telemetry;

namespace Defuss.Tests.Telemetry;

public sealed class DefussMetricsTests : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly DefussMetrics _metrics = new(meterFactory: null);
    private readonly ConcurrentQueue<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public DefussMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DefussMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _metrics.Dispose();
    }

    private long Total(string instrument) => _measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    private long ReadyGauge()
    {
        _listener.RecordObservableInstruments();
        return _measurements.Last(m => m.Instrument == "defuss.workers.ready").Value;
    }

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
        var exit = _measurements.Single(m => m.Instrument == "defuss.worker.exits");
        exit.Tags.Should().Contain(new KeyValuePair<string, object?>("defuss.worker.exit.expected", false));
        exit.Tags.Should().Contain(new KeyValuePair<string, object?>("defuss.worker.exit.how", "SIGKILL"));
        ReadyGauge().Should().Be(0);
    }
}
