using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Routing;

/// <summary>Passive health in <see cref="RouterActorBase"/>, through the round-robin router, on virtual time.</summary>
public sealed class RouterEjectionTests : ActorTest
{
    private static readonly TimeSpan Ejection = TimeSpan.FromSeconds(10);

    private IActorRef Router(params BackendCandidate[] backends)
    {
        var router = Sys.ActorOf(Props.Create(() => new RoundRobinRouter()));
        router.Tell(new RoutingSettings(Ejection));
        foreach (var backend in backends)
        {
            router.Tell(new BackendUpdated(backend));
        }

        return router;
    }

    private static async Task<List<string>> ChooseManyAsync(IActorRef router, int count)
    {
        var chosen = new List<string>();
        for (var i = 0; i < count; i++)
        {
            chosen.Add((await router.ChooseIdAsync())!);
        }

        return chosen;
    }

    [Fact]
    public async Task ConnectFailed_LeavesTheBackendOutForTheEjectionPeriodExactly()
    {
        var router = Router(Routers.Candidate(0), Routers.Candidate(1));

        router.Tell(new BackendConnectFailed("worker-0", "connection refused"));

        (await ChooseManyAsync(router, 4)).Should().OnlyContain(id => id == "worker-1");
        Clock.Advance(Ejection - TimeSpan.FromTicks(1));
        (await ChooseManyAsync(router, 4)).Should().OnlyContain(id => id == "worker-1");
        Clock.Advance(TimeSpan.FromTicks(1));
        (await ChooseManyAsync(router, 4)).Should().Contain("worker-0").And.Contain("worker-1");
    }

    [Fact]
    public async Task EveryReadyBackendEjected_RoutesToAllOfThemInsteadOfRefusing()
    {
        var router = Router(Routers.Candidate(0), Routers.Candidate(1));

        router.Tell(new BackendConnectFailed("worker-0", "connection refused"));
        router.Tell(new BackendConnectFailed("worker-1", "connection refused"));

        (await ChooseManyAsync(router, 4)).Should().Contain("worker-0").And.Contain("worker-1");
    }

    [Fact]
    public async Task ANewProcessAtTheSameIndex_IsNotEjected()
    {
        var router = Router(Routers.Candidate(0), Routers.Candidate(1));
        router.Tell(new BackendConnectFailed("worker-0", "connection refused"));

        router.Tell(new BackendUpdated(Routers.Candidate(0) with { Pid = 9999 }));

        (await ChooseManyAsync(router, 4)).Should().Contain("worker-0");
    }

    [Fact]
    public async Task ZeroEjectionPeriod_TurnsEjectionOff()
    {
        var router = Sys.ActorOf(Props.Create(() => new RoundRobinRouter()));
        router.Tell(new RoutingSettings(TimeSpan.Zero));
        router.Tell(new BackendUpdated(Routers.Candidate(0)));
        router.Tell(new BackendUpdated(Routers.Candidate(1)));

        router.Tell(new BackendConnectFailed("worker-0", "connection refused"));

        (await ChooseManyAsync(router, 4)).Should().Contain("worker-0");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task Ejection_TheWallClockStepsAnHour_LastsTheEjectionPeriodExactly(int direction)
    {
        var router = Router(Routers.Candidate(0), Routers.Candidate(1));
        router.Tell(new BackendConnectFailed("worker-0", "connection refused"));
        await router.HandledAsync();

        Time.WallClockStep = TimeSpan.FromHours(direction);

        (await ChooseManyAsync(router, 4)).Should().OnlyContain(id => id == "worker-1", "a step of the wall clock neither ends an ejection nor makes it last");
        Clock.Advance(Ejection - TimeSpan.FromTicks(1));
        (await ChooseManyAsync(router, 4)).Should().OnlyContain(id => id == "worker-1");
        Clock.Advance(TimeSpan.FromTicks(1));
        (await ChooseManyAsync(router, 4)).Should().Contain("worker-0").And.Contain("worker-1");
    }
}
