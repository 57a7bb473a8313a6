using Defuss.Bench.Load.Results;

namespace Defuss.Tests.Bench.Load.Results;

public sealed class StatsTests
{
    [Fact]
    public void Median_OddCount_IsTheMiddleOfTheSortedValues()
    {
        Stats.Median([30, 10, 20]).Should().Be(20);
        Stats.Median([7]).Should().Be(7);
    }

    [Fact]
    public void Median_EvenCount_IsTheMeanOfTheTwoMiddleValues()
    {
        Stats.Median([40, 10, 30, 20]).Should().Be(25);
    }

    [Fact]
    public void Median_Nothing_Throws()
    {
        var act = () => Stats.Median([]);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void MedianOrNull_IgnoresMissingValues_AndIsNullWithoutAny()
    {
        Stats.MedianOrNull([null, 4, null, 2, 9]).Should().Be(4);
        Stats.MedianOrNull([null, null]).Should().BeNull();
    }

    [Fact]
    public void Percentile_IsTheNearestRank()
    {
        var hundred = Enumerable.Range(1, 100).Select(i => (long)i).ToArray();

        Stats.Percentile(hundred, 50).Should().Be(50);
        Stats.Percentile(hundred, 99).Should().Be(99);
        Stats.Percentile(hundred, 100).Should().Be(100);
        Stats.Percentile([5, 8, 13], 50).Should().Be(8);
        Stats.Percentile([5, 8, 13], 99).Should().Be(13);
        Stats.Percentile([42], 1).Should().Be(42);
    }

    [Fact]
    public void Percentile_OutOfRangeOrOfNothing_Throws()
    {
        ((Action)(() => Stats.Percentile([], 50))).Should().Throw<ArgumentException>();
        ((Action)(() => Stats.Percentile([1], 0))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => Stats.Percentile([1], 101))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Ratio_DividesByTheBaseline_AndIsNullWithoutOne()
    {
        Stats.Ratio(150, 100).Should().Be(1.5);
        Stats.Ratio(150, null).Should().BeNull();
        Stats.Ratio(null, 100).Should().BeNull();
        Stats.Ratio(150, 0).Should().BeNull();
    }

    [Fact]
    public void CpuMicrosecondsPerRequest_SpreadsTheTicksOverTheRequests()
    {
        // 25 ticks of 10 ms = 250 ms of CPU over 50,000 requests = 5 us each.
        Stats.CpuMicrosecondsPerRequest(ticksBefore: 100, ticksAfter: 125, ticksPerSecond: 100, requests: 50_000).Should().BeApproximately(5, 1e-9);
        Stats.CpuMicrosecondsPerRequest(100, 125, 100, requests: 0).Should().BeNull();
    }
}
