using Defuss.Bench.Load;

namespace Defuss.Tests.Bench.Load;

public sealed class UnitsTests
{
    [Theory]
    [InlineData(39, "39 B")]
    [InlineData(1024, "1 KiB")]
    [InlineData(10_137, "9.9 KiB")]
    [InlineData(65_536, "64 KiB")]
    [InlineData(64_172_851, "61.2 MiB")]
    public void Size_PicksTheUnit(long bytes, string text) => Units.Size(bytes).Should().Be(text);

    [Theory]
    [InlineData(0.6123, "0.61 ms")]
    [InlineData(12.345, "12.3 ms")]
    [InlineData(1204.4, "1,204 ms")]
    public void Milliseconds_KeepsThreeFigures(double milliseconds, string text) => Units.Milliseconds(milliseconds).Should().Be(text);

    [Fact]
    public void RatesRatiosAndMicroseconds_AreInvariant()
    {
        Units.Rate(98_852.4).Should().Be("98,852");
        Units.Ratio(1.0249).Should().Be("1.02×");
        Units.Ratio(null).Should().Be("—");
        Units.Microseconds(18.25).Should().Be("18.3 µs");
        Units.Microseconds(null).Should().Be("—");
    }
}
