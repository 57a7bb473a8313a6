using Defuss.Worker.Resilience;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Worker.Resilience;

public sealed class LogThrottleTests
{
    [Fact]
    public void TryEnter_RepeatedWithinTheInterval_LetsTheFirstThroughThenCountsTheRest()
    {
        var time = new ManualTimeProvider();
        var throttle = new LogThrottle(time, TimeSpan.FromSeconds(10));

        throttle.TryEnter(out var first).Should().BeTrue();
        var held = Enumerable.Range(0, 99).Count(i => throttle.TryEnter(out _));
        time.Advance(TimeSpan.FromSeconds(9));
        throttle.TryEnter(out _).Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(1));
        throttle.TryEnter(out var next).Should().BeTrue();

        first.Should().Be(1);
        held.Should().Be(0);
        next.Should().Be(101, "the line that gets through says how often it happened since the last one, itself included");
    }

    [Fact]
    public void TryEnter_QuietLongerThanTheInterval_LetsTheNextThroughAtOnce()
    {
        var time = new ManualTimeProvider();
        var throttle = new LogThrottle(time, TimeSpan.FromSeconds(10));
        throttle.TryEnter(out _).Should().BeTrue();

        time.Advance(TimeSpan.FromMinutes(5));

        throttle.TryEnter(out var occurrences).Should().BeTrue();
        occurrences.Should().Be(1);
    }
}
