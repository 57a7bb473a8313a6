using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Routing;

public sealed class RoundRobinRouterTests : ActorTest
{
    private static BackendCandidate Candidate(int index, bool ready = true, int pid = 100) => Routers.Candidate(index, ready, pid);

    private IActorRef Router() => Sys.ActorOf(Props.Create(() => new RoundRobinRouter()));

    private static Task<object> ChooseAsync(IActorRef router) => router.ChooseAsync();

    [Fact]
    public async Task ChooseBackend_WithNoBackends_RepliesNoBackend()
    {
        (await ChooseAsync(Router())).Should().BeSameAs(NoBackend.Instance);
    }

    [Fact]
    public async Task ChooseBackend_CyclesThroughReadyBackendsInIndexOrder()
    {
        var router = Router();
        router.Tell(new BackendUpdated(Candidate(1)));
        router.Tell(new BackendUpdated(Candidate(0)));
        router.Tell(new BackendUpdated(Candidate(2)));

        var chosen = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            chosen.Add(((BackendLease)await ChooseAsync(router)).Backend.Id);
        }

        chosen.Should().Equal("worker-0", "worker-1", "worker-2", "worker-0", "worker-1", "worker-2");
    }

    [Fact]
    public async Task ChooseBackend_SkipsBackendsThatAreNotReady()
    {
        var router = Router();
        router.Tell(new BackendUpdated(Candidate(0, ready: false)));
        router.Tell(new BackendUpdated(Candidate(1)));

        for (var i = 0; i < 3; i++)
        {
            ((BackendLease)await ChooseAsync(router)).Backend.Id.Should().Be("worker-1");
        }
    }

    [Fact]
    public async Task BackendRemoved_TakesTheBackendOutOfRotation()
    {
        var router = Router();
        router.Tell(new BackendUpdated(Candidate(0)));
        router.Tell(new BackendRemoved("worker-0"));

        (await ChooseAsync(router)).Should().BeSameAs(NoBackend.Instance);
    }

    [Fact]
    public async Task Lease_CountsActiveConnectionsUntilReleased()
    {
        var router = Router();
        router.Tell(new BackendUpdated(Candidate(0)));

        ((BackendLease)await ChooseAsync(router)).Backend.ActiveConnections.Should().Be(1);
        ((BackendLease)await ChooseAsync(router)).Backend.ActiveConnections.Should().Be(2);
        router.Tell(new ReleaseBackend("worker-0"));
        router.Tell(new ReleaseBackend("worker-0"));
        ((BackendLease)await ChooseAsync(router)).Backend.ActiveConnections.Should().Be(1);
    }

    [Fact]
    public async Task BackendUpdated_KeepsTheConnectionCountOfTheSameProcess()
    {
        var router = Router();
        router.Tell(new BackendUpdated(Candidate(0)));
        await ChooseAsync(router);

        router.Tell(new BackendUpdated(Candidate(0)));
        ((BackendLease)await ChooseAsync(router)).Backend.ActiveConnections.Should().Be(2);

        router.Tell(new BackendUpdated(Candidate(0, pid: 900)));
        ((BackendLease)await ChooseAsync(router)).Backend.ActiveConnections.Should().Be(1);
    }
}
