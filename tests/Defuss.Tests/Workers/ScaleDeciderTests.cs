using Defuss.Actors.Workers;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Workers;

/// <summary>The scaling rule on its own: virtual time and made-up heartbeats.</summary>
public sealed class ScaleDeciderTests
{
    private static readonly ScalingPolicy Policy = new() { MinWorkers = 1, MaxWorkers = 3, ScaleUpAfter = TimeSpan.FromSeconds(15), ScaleDownAfter = TimeSpan.FromMinutes(5) };
    private readonly ManualTimeProvider _clock = new();
    private readonly ScaleDecider _decider = new(Policy);

    [Fact]
    public void Observe_SaturatedCpu_ScalesUpAfterTheDelayAndNotOneTickBefore()
    {
        Observe(Busy, size: 1).Direction.Should().Be(ScaleDirection.None);
        _clock.Advance(Policy.ScaleUpAfter - TimeSpan.FromTicks(1));
        Observe(Busy, size: 1).Direction.Should().Be(ScaleDirection.None);
        _clock.Advance(TimeSpan.FromTicks(1));

        var decision = Observe(Busy, size: 1);

        decision.Direction.Should().Be(ScaleDirection.Up);
        decision.Reason.Should().Be("mean CPU 90 % >= 70 % for 15 s");
        decision.MeanCpuPercent.Should().Be(90);
    }

    [Fact]
    public void Observe_RequestsInFlightPilingUp_AlsoSaturates()
    {
        Observe([(20, 40)], size: 1);
        _clock.Advance(Policy.ScaleUpAfter);

        Observe([(20, 40)], size: 1).Reason.Should().Be("mean requests in flight 40 >= 32 for 15 s");
    }

    [Fact]
    public void Observe_ABreakInTheLoad_RestartsTheClock()
    {
        Observe(Busy, size: 1);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Observe(Steady, size: 1);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Observe(Busy, size: 1).Direction.Should().Be(ScaleDirection.None, "saturation held for 0 s since the break");
        _clock.Advance(TimeSpan.FromSeconds(14));
        Observe(Busy, size: 1).Direction.Should().Be(ScaleDirection.None);
    }

    [Fact]
    public void Observe_ASteadyLoadBetweenTheThresholds_NeverChangesThePool()
    {
        for (var minute = 0; minute < 60; minute++)
        {
            Observe(Steady, size: 2).Direction.Should().Be(ScaleDirection.None);
            _clock.Advance(TimeSpan.FromMinutes(1));
        }
    }

    [Fact]
    public void Observe_IdleLongEnough_ScalesDownOnce_ThenJudgesAfresh()
    {
        Observe(Idle, size: 3);
        _clock.Advance(Policy.ScaleDownAfter);
        Observe(Idle, size: 3).Direction.Should().Be(ScaleDirection.Down);

        Observe(Idle, size: 2).Direction.Should().Be(ScaleDirection.None, "the next change waits a whole period again");
        _clock.Advance(Policy.ScaleDownAfter);
        Observe(Idle, size: 2).Direction.Should().Be(ScaleDirection.Down);
    }

    [Fact]
    public void Observe_AtTheBounds_NeverLeavesThem()
    {
        Observe(Busy, size: Policy.MaxWorkers);
        _clock.Advance(TimeSpan.FromHours(1));
        Observe(Busy, size: Policy.MaxWorkers).Direction.Should().Be(ScaleDirection.None);

        Observe(Idle, size: Policy.MinWorkers);
        _clock.Advance(TimeSpan.FromHours(1));
        Observe(Idle, size: Policy.MinWorkers).Direction.Should().Be(ScaleDirection.None);
    }

    [Fact]
    public void Observe_NotSettled_DecidesNothingAndForgets()
    {
        Observe(Busy, size: 1);
        _clock.Advance(Policy.ScaleUpAfter);

        _decider.Observe(_clock.GetTimestamp(), _clock, Busy, 1, settled: false).Direction.Should().Be(ScaleDirection.None,
            "a worker restarting (a crash loop) is capacity the pool never had, not load");
        Observe(Busy, size: 1).Direction.Should().Be(ScaleDirection.None, "saturation is measured again from when the pool settled");
    }

    private static (double, long)[] Busy => [(95, 3), (85, 5)];

    private static (double, long)[] Steady => [(50, 10), (45, 8)];

    private static (double, long)[] Idle => [(3, 0), (5, 1)];

    private ScaleDecision Observe((double CpuPercent, long RequestsInFlight)[] ready, int size) =>
        _decider.Observe(_clock.GetTimestamp(), _clock, ready, size, settled: true);
}
