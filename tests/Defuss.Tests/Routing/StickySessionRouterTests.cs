using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Samples.Showcase.Routing;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Routing;

/// <summary>The Showcase's custom router actor, on fixed sets of candidates.</summary>
public sealed class StickySessionRouterTests : ActorTest
{
    private IActorRef Router(params BackendCandidate[] backends) =>
        Sys.ActorOf(Props.Create<StickySessionRouter>()).WithBackends(backends);

    private static ParsedRequest Session(string id) => Routers.Http(StickySessionRouter.SessionHeader, id);

    [Fact]
    public async Task ChooseBackend_WithoutASession_PicksTheLowestCpu()
    {
        var router = Router(
            Routers.Candidate(0, stats: Routers.Stats(40, 0, 0)),
            Routers.Candidate(1, stats: Routers.Stats(5, 0, 0)),
            Routers.Candidate(2, stats: Routers.Stats(20, 0, 0)));

        (await router.ChooseIdAsync(Routers.Http())).Should().Be("worker-1");
        (await router.ChooseIdAsync(Routers.Http())).Should().Be("worker-1", "connections do not count, only CPU");
        (await router.ChooseIdAsync(Session(""))).Should().Be("worker-1", "an empty session id is no session");
    }

    [Fact]
    public async Task ChooseBackend_WorkersWithoutStats_CountAsIdleAndTiesGoToTheLowestIndex()
    {
        var router = Router(
            Routers.Candidate(0, stats: Routers.Stats(3, 0, 0)),
            Routers.Candidate(1),
            Routers.Candidate(2));

        (await router.ChooseIdAsync(Routers.Http())).Should().Be("worker-1");
    }

    [Fact]
    public async Task ChooseBackend_SameSession_StaysOnItsFirstWorkerWhenTheLoadMoves()
    {
        var router = Router(
            Routers.Candidate(0, stats: Routers.Stats(50, 0, 0)),
            Routers.Candidate(1, stats: Routers.Stats(10, 0, 0)));
        (await router.ChooseIdAsync(Session("alice"))).Should().Be("worker-1");

        router.Tell(new BackendUpdated(Routers.Candidate(1, stats: Routers.Stats(90, 0, 0))));

        (await router.ChooseIdAsync(Session("alice"))).Should().Be("worker-1");
        (await router.ChooseIdAsync(Routers.Http("x-session-id", "alice"))).Should().Be("worker-1", "header names are case-insensitive");
        (await router.ChooseIdAsync(Session("bob"))).Should().Be("worker-0", "a new session goes to the lowest CPU now");
        (await router.ChooseIdAsync(Routers.Http())).Should().Be("worker-0");
        (await router.ChooseIdAsync(Session("bob"))).Should().Be("worker-0");
    }

    [Fact]
    public async Task ChooseBackend_SessionsWorkerLeft_PlacesTheSessionAgainAndForgetsTheOldWorker()
    {
        var router = Router(
            Routers.Candidate(0, stats: Routers.Stats(50, 0, 0)),
            Routers.Candidate(1, stats: Routers.Stats(10, 0, 0)));
        (await router.ChooseIdAsync(Session("alice"))).Should().Be("worker-1");

        router.Tell(new BackendRemoved("worker-1"));
        (await router.ChooseIdAsync(Session("alice"))).Should().Be("worker-0");
        router.Tell(new BackendUpdated(Routers.Candidate(1, stats: Routers.Stats(0, 0, 0))));

        (await router.ChooseIdAsync(Session("alice"))).Should().Be("worker-0", "the session now lives on worker-0");
    }

    [Fact]
    public async Task ChooseBackend_SessionsWorkerReplacedByANewProcess_DoesNotFollowTheId()
    {
        var router = Router(
            Routers.Candidate(0, stats: Routers.Stats(50, 0, 0)),
            Routers.Candidate(1, stats: Routers.Stats(10, 0, 0)));
        (await router.ChooseIdAsync(Session("alice"))).Should().Be("worker-1");

        // worker-1 restarted: same id and index, another process, busy at first.
        router.Tell(new BackendUpdated(Routers.Candidate(1, pid: 500, stats: Routers.Stats(80, 0, 0))));

        (await router.ChooseIdAsync(Session("alice"))).Should().Be("worker-0");
    }

    [Fact]
    public async Task ChooseBackend_ManySessions_EachStaysWhereItWasPlaced()
    {
        var router = Router(Routers.Candidate(0), Routers.Candidate(1), Routers.Candidate(2));
        var placed = new Dictionary<string, string?>();
        for (var i = 0; i < 30; i++)
        {
            // The load moves between every placement, so the sessions spread over all three workers.
            router.Tell(new BackendUpdated(Routers.Candidate(i % 3, stats: Routers.Stats(0, 0, 0))));
            router.Tell(new BackendUpdated(Routers.Candidate((i + 1) % 3, stats: Routers.Stats(50, 0, 0))));
            router.Tell(new BackendUpdated(Routers.Candidate((i + 2) % 3, stats: Routers.Stats(50, 0, 0))));
            placed[$"s-{i}"] = await router.ChooseIdAsync(Session($"s-{i}"));
        }

        foreach (var (session, worker) in placed)
        {
            (await router.ChooseIdAsync(Session(session))).Should().Be(worker);
        }

        placed.Values.Distinct().Should().HaveCount(3);
    }
}
