using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// Records the measurements of the meters made by its own <see cref="MeterFactory"/>: a test that builds
/// <c>DefussMetrics</c> from it hears only its own, not those of a test running beside it.
/// </summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MetricsRecorder()
    {
        MeterFactory = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, MeterFactory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>The factory whose meters are recorded.</summary>
    public IMeterFactory MeterFactory { get; }

    /// <summary>Every measurement so far, in the order they were made.</summary>
    public IReadOnlyCollection<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> Measurements => _measurements;

    /// <summary>The sum of every measurement of counter <paramref name="instrument"/>.</summary>
    public long Total(string instrument) => _measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    /// <summary>Reads the observable instruments now and returns <paramref name="instrument"/>'s value.</summary>
    public long Observe(string instrument)
    {
        _listener.RecordObservableInstruments();
        return _measurements.Last(m => m.Instrument == instrument).Value;
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}
