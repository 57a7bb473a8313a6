using Defuss.Actors.Workers;

namespace Defuss.Tests.Workers;

public sealed class BackoffTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(7, 6400)]
    [InlineData(8, 10000)]
    [InlineData(1000, 10000)]
    public void Delay_WithoutJitter_DoublesPerAttemptUpToTheCap(int attempt, int expectedMs)
    {
        Backoff.Delay(attempt, Min, Max, random: 0).Should().Be(TimeSpan.FromMilliseconds(expectedMs));
    }

    [Fact]
    public void Delay_WithJitter_TakesOffAtMostTheJitterShare()
    {
        var full = Backoff.Delay(5, Min, Max, random: 0);

        var jittered = Backoff.Delay(5, Min, Max, random: 0.999999);

        jittered.Should().BeLessThan(full);
        jittered.Should().BeGreaterThanOrEqualTo(full * (1 - RestartPolicy.Jitter));
    }

    [Fact]
    public void Delay_NeverGoesBelowTheMinimum()
    {
        Backoff.Delay(1, Min, Max, random: 0.999999).Should().Be(Min);
    }

    [Fact]
    public void Delay_HugeMinimum_DoesNotOverflow()
    {
        Backoff.Delay(40, TimeSpan.FromDays(1), TimeSpan.FromDays(2), random: 0).Should().Be(TimeSpan.FromDays(2));
    }
}
