using Defuss.Processes;

namespace Defuss.Tests.Processes;

public sealed class DescriptorLimitTests
{
    [Theory]
    [InlineData(1_048_576L, 300, 2, (1_048_576 - 300 - 64 - 16) / 2)]
    [InlineData(1024L, 250, 2, (1024 - 250 - 64 - 16) / 2)]
    [InlineData(300L, 257, 2, 1)]
    [InlineData(300L, -1, 1, (300 - 64 - 8) / 2)]
    public void MaxConnectionsWithin_LeavesTheOpenOnesAndTheReserve_HalvesTheRest_NeverBelowOne(long limit, int open, int workers, int expected)
    {
        DescriptorLimit.MaxConnectionsWithin(limit, open, workers).Should().Be(expected);
    }

    [Fact]
    public void RaiseToHard_LeavesTheSoftLimitAtTheHardOne_AndSaysWhatItWas()
    {
        var raised = DescriptorLimit.RaiseToHard();

        raised.Should().NotBeNull("this is Linux");
        var (soft, hard) = OpenFilesLimits();
        soft.Should().Be(hard);
        raised!.Value.Now.Should().Be(hard);
        raised.Value.Before.Should().BeLessThanOrEqualTo(hard);
    }

    /// <summary>The soft and hard open-files limits of this process, as the kernel reports them.</summary>
    private static (long Soft, long Hard) OpenFilesLimits()
    {
        var line = File.ReadAllLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
