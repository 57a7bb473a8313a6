using Akka.Actor;
using Akka.DependencyInjection;
using Defuss.Actors.Routing;
using Defuss.Hosting;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

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

    [Fact]
    public async Task PropsFor_RouterType_IsCreatedByTheResolverWithTheAppsServices()
    {
        await using var services = new ServiceCollection().AddSingleton(new PinnedIndex(1)).BuildServiceProvider();
        var system = ActorSystem.Create("load-balancers", BootstrapSetup.Create().And(DependencyResolverSetup.Create(services)));
        try
        {
            var options = new DefussOptions().UseRouter<ServiceRouter>();

            var props = LoadBalancers.PropsFor(options, new Random(1), DependencyResolver.For(system).Resolver);

            props.Type.Should().Be<ServiceRouter>();
            options.RouterName.Should().Be(nameof(ServiceRouter));
            var router = system.ActorOf(props).WithBackends(Routers.Candidate(0), Routers.Candidate(1), Routers.Candidate(2));
            (await router.ChooseIdAsync()).Should().Be("worker-1", "the router got the app's PinnedIndex through its constructor");
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed class PinnedRouter : RouterActorBase
    {
        protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates) => candidates[0];
    }

    /// <summary>An app service: the index <see cref="ServiceRouter"/> routes to.</summary>
    private sealed record PinnedIndex(int Index);

    /// <summary>A router with no parameterless constructor: it takes an app service.</summary>
    private sealed class ServiceRouter(PinnedIndex pinned) : RouterActorBase
    {
        protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates) =>
            candidates.Single(c => c.Index == pinned.Index);
    }
}
