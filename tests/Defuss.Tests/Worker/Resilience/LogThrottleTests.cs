using Defuss.Tests.TestSupport;
using Defuss.Worker.Resilience;

namespace Defuss.Tests.Worker.Resilience;

public sealed class LogThrottleTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void TryLog_FirstOccurrence_IsLoggedWithNothingSuppressed()
    {
        var throttle = new LogThrottle(TimeSpan.FromSeconds(5), _time);

        throttle.TryLog(out var suppressed).Should().BeTrue();
        suppressed.Should().Be(0);
    }

    [Fact]
    public void TryLog_AStormWithinTheInterval_IsCountedAndReportedWithTheNextLoggedOne()
    {
        var throttle = new LogThrottle(TimeSpan.FromSeconds(5), _time);
        throttle.TryLog(out _);

        var logged = Enumerable.Range(0, 1000).Count(_ => throttle.TryLog(out var _));
        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        var beforeTheInterval = throttle.TryLog(out _);
        _time.Advance(TimeSpan.FromTicks(1));
        var atTheInterval = throttle.TryLog(out var suppressed);

        logged.Should().Be(0);
        beforeTheInterval.Should().BeFalse();
        atTheInterval.Should().BeTrue();
        suppressed.Should().Be(1001);
    }

    [Fact]
    public void TryLog_AfterAQuietInterval_LogsAtOnceWithNothingSuppressed()
    {
        var throttle = new LogThrottle(TimeSpan.FromSeconds(1), _time);
        throttle.TryLog(out _);
        _time.Advance(TimeSpan.FromMinutes(1));

        throttle.TryLog(out var suppressed).Should().BeTrue();
        suppressed.Should().Be(0);
    }
}
