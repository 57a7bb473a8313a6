extern alias cli;

using cli::Defuss.Cli.Rendering;

namespace Defuss.Tests.Cli.Rendering;

public sealed class UnitsTests
{
    [Theory]
    [InlineData(12.5, "12s")]
    [InlineData(303, "5m 03s")]
    [InlineData(7500, "2h 05m")]
    [InlineData(273600, "3d 04h")]
    [InlineData(-1, "-")]
    public void Duration_Seconds_ReadsAtAGlance(double seconds, string expected)
    {
        Units.Duration(seconds).Should().Be(expected);
    }

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(73_400_320, "70.0 MiB")]
    [InlineData(1_288_490_189, "1.2 GiB")]
    public void Bytes_Size_InBinaryUnits(long bytes, string expected)
    {
        Units.Bytes(bytes).Should().Be(expected);
    }

    [Fact]
    public void Rate_NoRateYet_IsADash()
    {
        Units.Rate(null).Should().Be("-");
        Units.Rate(250).Should().Be("250.0");
    }
}
