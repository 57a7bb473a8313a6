using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Hosting;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Hosting;

public sealed class LoadBalancersTests
{
    [Theory]
    [InlineData("RoundRobin", typeof(RoundRobinRouter))]
    [InlineData("leastconnections", typeof(LeastConnectionsRouter))]
    [InlineData("RESOURCEAWARE", typeof(ResourceAwareRouter))]
    [InlineData("PowerOfTwoChoices", typeof(PowerOfTwoChoicesRouter))]
    [InlineData("ConsistentHash", typeof(ConsistentHashRouter))]
    public void PropsFor_BuiltInName_BuildsThatRouter(string name, Type router)
    {
        LoadBalancers.IsKnown(name).Should().BeTrue();
        LoadBalancers.PropsFor(new DefussOptions { LoadBalancer = name }, new Random(1), resolver: null).Type.Should().Be(router);
    }

    [Fact]
    public void PropsFor_CustomRouter_WinsOverTheName()
    {
        var options = new DefussOptions { LoadBalancer = LoadBalancers.LeastConnections }.UseRouter<PinnedRouter>();

        LoadBalancers.PropsFor(options, new Random(1), resolver: null).Type.Should().Be<PinnedRouter>();
        options.RouterName.Should().Be(nameof(PinnedRouter));
    }

    [Fact]
    public void PropsFor_Delegate_BuildsADelegateRouter()
    {
        var options = new DefussOptions().UseRouter(context => context.Candidates[0]);

        LoadBalancers.PropsFor(options, new Random(1), resolver: null).Type.Should().Be<DelegateRouter>();
    }

    [Fact]
    public void UseRouter_PropsOfAnotherActor_Throws()
    {
        var act = () => new DefussOptions().UseRouter(Props.Create(() => new EchoActor()));

        act.Should().Throw<ArgumentException>();
    }

    private sealed class PinnedRouter : RouterActorBase
    {
        protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates) => candidates[0];
    }
}
