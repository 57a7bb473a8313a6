using Defuss.Worker.Resilience;

namespace Defuss.Tests.Worker.Resilience;

public sealed class ErrorBackoffTests
{
    [Fact]
    public void Next_ErrorsInARow_DoubleFromMinToMax()
    {
        var backoff = ErrorBackoff.ForAccept;

        var delays = Enumerable.Range(0, 10).Select(_ => (int)backoff.Next().TotalMilliseconds).ToList();

        delays.Should().Equal(10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000);
    }

    [Fact]
    public void Reset_AfterASuccess_StartsAgainFromMin()
    {
        var backoff = new ErrorBackoff(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(50));
        backoff.Next();
        backoff.Next();
        backoff.Next();

        backoff.Reset();

        backoff.Next().Should().Be(TimeSpan.FromMilliseconds(5));
    }

    [Fact]
    public void Next_MaxNotAPowerOfTwoOfMin_NeverExceedsMax()
    {
        var backoff = new ErrorBackoff(TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(10));

        Enumerable.Range(0, 5).Select(_ => backoff.Next().TotalMilliseconds).Should().Equal(3, 6, 10, 10, 10);
    }

    [Fact]
    public void Constructor_MaxBelowMin_Throws()
    {
        var act = () => new ErrorBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
