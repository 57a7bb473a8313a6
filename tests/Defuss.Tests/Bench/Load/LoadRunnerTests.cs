using Defuss.Bench.Load;

namespace Defuss.Tests.Bench.Load;

public sealed class LoadRunnerTests
{
    [Fact]
    public void RoundOrder_RotatesByOneEachRound_SoThatNoneAlwaysGoesFirst()
    {
        string[] topologies = ["plain", "handoff", "proxy"];

        LoadRunner.RoundOrder(topologies, 1).Should().Equal("plain", "handoff", "proxy");
        LoadRunner.RoundOrder(topologies, 2).Should().Equal("handoff", "proxy", "plain");
        LoadRunner.RoundOrder(topologies, 3).Should().Equal("proxy", "plain", "handoff");
        LoadRunner.RoundOrder(topologies, 4).Should().Equal("plain", "handoff", "proxy");
        LoadRunner.RoundOrder(Array.Empty<string>(), 2).Should().BeEmpty();
    }
}
