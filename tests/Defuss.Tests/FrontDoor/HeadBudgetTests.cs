using Defuss.FrontDoor;

namespace Defuss.Tests.FrontDoor;

public sealed class HeadBudgetTests
{
    [Fact]
    public void TryTake_UpToTheBudget_SucceedsThenRefusesWithoutTaking()
    {
        var budget = new HeadBudget(10_000);

        budget.TryTake(6000).Should().BeTrue();
        budget.TryTake(4001).Should().BeFalse();
        budget.Held.Should().Be(6000);
        budget.TryTake(4000).Should().BeTrue();
        budget.Return(6000);
        budget.Held.Should().Be(4000);
    }

    [Fact]
    public async Task TryTake_ManyThreadsAtOnce_NeverHoldsMoreThanTheBudget()
    {
        var budget = new HeadBudget(100 * 2048);

        var taken = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Enumerable.Range(0, 1000).Count(i => budget.TryTake(2048)))));

        taken.Sum().Should().Be(100);
        budget.Held.Should().Be(100 * 2048);
    }
}
