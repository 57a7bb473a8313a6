using System.Diagnostics.Metrics;

namespace Defuss.Telemetry;

/// <summary>
/// The instruments of the workers' processes and their control channels: the worker output the echo could not keep up
/// with, the malformed reports refused, and the leftover processes killed. Each is created the first time it counts.
/// </summary>
internal sealed partial class DefussMetrics
{
    /// <summary>The tag of <c>defuss.worker.output.dropped</c>: <c>stdout</c> or <c>stderr</c>.</summary>
    public const string OutputStreamTag = "defuss.worker.output.stream";

    private readonly Lock _processInstruments = new();
    private Counter<long>? _outputDropped;
    private Counter<long>? _reportsRefused;
    private Counter<long>? _leftoversKilled;

    /// <summary>
    /// <paramref name="lines"/> lines of the workers' <paramref name="stream"/> (<c>stdout</c> or <c>stderr</c>) were not
    /// echoed: the primary's own output did not keep up, and the echo's queue was full.
    /// </summary>
    public void WorkerOutputDropped(string stream, long lines)
    {
        var counter = Instrument(ref _outputDropped, "defuss.worker.output.dropped", "{line}", "Lines of worker output not echoed to the primary's standard output or error because the echo's bounded queue was full (the primary's own output did not keep up).");
        if (counter.Enabled)
        {
            counter.Add(lines, new KeyValuePair<string, object?>(OutputStreamTag, stream));
        }
    }

    /// <summary>A malformed control report was refused at the control boundary.</summary>
    public void ControlReportRefused() =>
        Instrument(ref _reportsRefused, "defuss.control.reports_refused", "{frame}", "Malformed control reports refused at the control boundary (bad JSON, an unknown or unexpected type, a missing field, an impossible value).").Add(1);

    /// <summary>An exited worker's process group still held processes (the worker's own children), and they were killed.</summary>
    public void LeftoverProcessesKilled() =>
        Instrument(ref _leftoversKilled, "defuss.worker.leftover_groups_killed", "{group}", "Exited worker processes whose process group still held processes (their own children), which were killed with it.").Add(1);

    private Counter<long> Instrument(ref Counter<long>? field, string name, string unit, string description)
    {
        if (Volatile.Read(ref field) is { } existing)
        {
            return existing;
        }

        lock (_processInstruments)
        {
            return field ??= _meter.CreateCounter<long>(name, unit, description);
        }
    }
}
