using System.Diagnostics.Metrics;
using Defuss.Admin;
using Defuss.Hosting;

namespace Defuss.Telemetry;

internal sealed partial class DefussMetrics
{
    private StatusBoard? _board;

    /// <summary>
    /// Where the per-worker gauges read from: the status board, which follows every heartbeat. Each gauge reports one
    /// measurement per worker that has a process, tagged with its index and pid.
    /// </summary>
    public void ObserveWorkers(StatusBoard board)
    {
        if (Interlocked.Exchange(ref _board, board) is not null)
        {
            return;
        }

        _meter.CreateObservableGauge("defuss.worker.cpu", () => PerWorker(worker => worker.CpuPercent / 100), "1", "Each worker's CPU use over its last heartbeat, as a fraction of one core.");
        _meter.CreateObservableGauge("defuss.worker.memory.working_set", () => PerWorker(worker => worker.WorkingSetBytes), "By", "Each worker's working set.");
        _meter.CreateObservableGauge("defuss.worker.gc.heap", () => PerWorker(worker => worker.GcHeapBytes), "By", "Each worker's managed heap size after its last GC.");
        _meter.CreateObservableGauge("defuss.worker.connections", () => PerWorker(worker => worker.Connections), "{connection}", "Connections each worker's Kestrel has open.");
        _meter.CreateObservableGauge("defuss.worker.requests.in_flight", () => PerWorker(worker => worker.RequestsInFlight), "{request}", "Requests each worker is handling.");
        _meter.CreateObservableGauge("defuss.worker.restarts.total", () => PerWorker(worker => worker.Restarts), "{restart}", "Respawns of each worker since the primary started.");
    }

    private List<Measurement<T>> PerWorker<T>(Func<WorkerStatus, T> value)
        where T : struct
    {
        if (Volatile.Read(ref _board) is not { } board)
        {
            return [];
        }

        var workers = board.Workers();
        var measurements = new List<Measurement<T>>(workers.Count);
        foreach (var worker in workers)
        {
            if (worker.Pid > 0)
            {
                measurements.Add(new Measurement<T>(
                    value(worker),
                    new KeyValuePair<string, object?>("defuss.worker.index", worker.Index),
                    new KeyValuePair<string, object?>("defuss.worker.pid", worker.Pid)));
            }
        }

        return measurements;
    }
}
