extern alias cli;

using cli::Defuss.Cli.Top;

namespace Defuss.Tests.Cli.Top;

public sealed class RateMeterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 5, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Observe_OneReading_HasNoRate()
    {
        var meter = new RateMeter();

        meter.Observe(1000, T0);

        meter.PerSecond.Should().BeNull();
    }

    [Fact]
    public void Observe_TwoReadings_DividesTheDifferenceByTheTimeBetween()
    {
        var meter = new RateMeter();

        meter.Observe(1000, T0);
        meter.Observe(1500, T0.AddSeconds(2));

        meter.PerSecond.Should().Be(250);
    }

    [Fact]
    public void Observe_SameReadingTimeAgain_KeepsTheRate()
    {
        var meter = new RateMeter();
        meter.Observe(1000, T0);
        meter.Observe(1500, T0.AddSeconds(2));

        meter.Observe(1500, T0.AddSeconds(2));

        meter.PerSecond.Should().Be(250);
    }

    [Fact]
    public void Observe_CounterWentBack_HasNoRateUntilTheNextReading()
    {
        var meter = new RateMeter();
        meter.Observe(1000, T0);

        meter.Observe(10, T0.AddSeconds(1));
        meter.PerSecond.Should().BeNull();

        meter.Observe(30, T0.AddSeconds(2));
        meter.PerSecond.Should().Be(20);
    }
}
