using System.Diagnostics;
using Defuss.Worker.Protocol;

namespace Defuss.Worker.Runtime;

/// <summary>Takes the <see cref="WorkerStats"/> a heartbeat carries; CPU is measured since the previous sample.</summary>
internal sealed class StatsSampler
{
    private readonly WorkerActivity _activity;
    private readonly TimeProvider _timeProvider;
    private readonly DateTimeOffset _processStartedAt;
    private readonly Lock _gate = new();
    private TimeSpan _lastCpuTime;
    private long _lastTimestamp;

    public StatsSampler(WorkerActivity activity, TimeProvider timeProvider)
    {
        _activity = activity;
        _timeProvider = timeProvider;
        using (var process = Process.GetCurrentProcess())
        {
            _processStartedAt = process.StartTime.ToUniversalTime();
        }

        _lastCpuTime = Environment.CpuUsage.TotalTime;
        _lastTimestamp = timeProvider.GetTimestamp();
    }

    public WorkerStats Sample()
    {
        var cpuPercent = SampleCpuPercent();
        var now = _timeProvider.GetUtcNow();
        var uptime = now - _processStartedAt;
        if (uptime < TimeSpan.Zero)
        {
            // A clock other than the system's (a test's) may read earlier than the process start.
            uptime = TimeSpan.Zero;
        }

        var gc = GC.GetGCMemoryInfo();
        var pausePercent = uptime > TimeSpan.Zero ? GC.GetTotalPauseDuration() / uptime * 100 : 0;

        return new WorkerStats(
            Pid: Environment.ProcessId,
            CpuPercent: cpuPercent,
            WorkingSetBytes: Environment.WorkingSet,
            // Before its first collection the GC reports no heap at all: what is allocated so far is the truth then.
            GcHeapBytes: gc.HeapSizeBytes > 0 ? gc.HeapSizeBytes : GC.GetTotalMemory(forceFullCollection: false),
            GcCommittedBytes: gc.TotalCommittedBytes,
            GcPausePercent: Math.Min(pausePercent, 100),
            ThreadPoolQueueLength: ThreadPool.PendingWorkItemCount,
            ActiveConnections: _activity.ActiveConnections,
            RequestsInFlight: _activity.RequestsInFlight,
            UptimeMs: (long)uptime.TotalMilliseconds,
            SampledAtUnixMs: now.ToUnixTimeMilliseconds())
        {
            RequestsServed = _activity.RequestsServed,
        };
    }

    private double SampleCpuPercent()
    {
        lock (_gate)
        {
            // Environment.CpuUsage is Process.TotalProcessorTime without a Process object or a /proc read.
            var cpuTime = Environment.CpuUsage.TotalTime;
            var timestamp = _timeProvider.GetTimestamp();
            var wall = _timeProvider.GetElapsedTime(_lastTimestamp, timestamp);
            var cpu = cpuTime - _lastCpuTime;
            _lastCpuTime = cpuTime;
            _lastTimestamp = timestamp;
            return wall > TimeSpan.Zero ? Math.Max(0, cpu / wall * 100) : 0;
        }
    }
}
