using Defuss.Tests.TestSupport;
using Defuss.Worker.Runtime;

namespace Defuss.Tests.Worker.Runtime;

public sealed class StatsSamplerTests
{
    [Fact]
    public void Sample_AfterBurningCpu_ReportsCpuPercentAboveZero()
    {
        var sampler = new StatsSampler(new WorkerActivity(), TimeProvider.System);

        BurnCpu(TimeSpan.FromMilliseconds(30));
        var stats = sampler.Sample();

        stats.CpuPercent.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Sample_Always_ReportsThisProcess()
    {
        var sampler = new StatsSampler(new WorkerActivity(), TimeProvider.System);

        var stats = sampler.Sample();

        stats.Pid.Should().Be(Environment.ProcessId);
        stats.WorkingSetBytes.Should().BeGreaterThan(0);
        stats.GcHeapBytes.Should().BeGreaterThanOrEqualTo(0);
        stats.GcCommittedBytes.Should().BeGreaterThanOrEqualTo(0);
        stats.GcPausePercent.Should().BeInRange(0, 100);
        stats.ThreadPoolQueueLength.Should().BeGreaterThanOrEqualTo(0);
        stats.UptimeMs.Should().BeGreaterThan(0);
        stats.SampledAtUnixMs.Should().BeCloseTo(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 60_000);
    }

    [Fact]
    public void Sample_WithActivity_ReportsItsCounts()
    {
        var activity = new WorkerActivity();
        var sampler = new StatsSampler(activity, TimeProvider.System);
        activity.ConnectionOpened();
        activity.ConnectionOpened();
        activity.ConnectionOpened();
        activity.RequestStarted();
        activity.RequestStarted();

        var stats = sampler.Sample();

        stats.ActiveConnections.Should().Be(3);
        stats.RequestsInFlight.Should().Be(2);
    }

    [Fact]
    public void Sample_ManualClock_StampsTheClocksTime()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var sampler = new StatsSampler(new WorkerActivity(), clock);
        clock.Advance(TimeSpan.FromSeconds(3));

        var stats = sampler.Sample();

        stats.SampledAtUnixMs.Should().Be(clock.GetUtcNow().ToUnixTimeMilliseconds());
    }

    [Fact]
    public void Sample_NoTimeElapsedSinceThePreviousSample_ReportsZeroCpu()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var sampler = new StatsSampler(new WorkerActivity(), clock);

        BurnCpu(TimeSpan.FromMilliseconds(5));
        var stats = sampler.Sample();

        stats.CpuPercent.Should().Be(0);
    }

    [Fact]
    public void Sample_ClockBeforeTheProcessStarted_ReportsZeroUptime()
    {
        var sampler = new StatsSampler(new WorkerActivity(), new ManualTimeProvider(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        var stats = sampler.Sample();

        stats.UptimeMs.Should().Be(0);
        stats.GcPausePercent.Should().Be(0);
    }

    private static void BurnCpu(TimeSpan cpuTime)
    {
        // Spins until this process has used the CPU time, however the scheduler shares the cores.
        var start = Environment.CpuUsage.TotalTime;
        var spin = 0L;
        while (Environment.CpuUsage.TotalTime - start < cpuTime)
        {
            for (var i = 0; i < 10_000; i++)
            {
                spin += i ^ spin;
            }
        }

        GC.KeepAlive(spin);
    }
}
