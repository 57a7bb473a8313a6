using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Routing;

public sealed class LeastConnectionsRouterTests : ActorTest
{
    private IActorRef Router() => Sys.ActorOf(Props.Create(() => new LeastConnectionsRouter()))
        .WithBackends(Routers.Candidate(0), Routers.Candidate(1), Routers.Candidate(2));

    [Fact]
    public async Task ChooseBackend_AllIdle_TiesGoToTheLowestIndex()
    {
        (await Router().ChooseIdAsync()).Should().Be("worker-0");
    }

    [Fact]
    public async Task ChooseBackend_SpreadsLeasesOverTheLeastBusy()
    {
        var router = Router();

        var chosen = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            chosen.Add(await router.ChooseIdAsync());
        }

        chosen.Should().Equal("worker-0", "worker-1", "worker-2", "worker-0");
    }

    [Fact]
    public async Task ChooseBackend_AfterRelease_PrefersTheReleasedBackend()
    {
        var router = Router();
        for (var i = 0; i < 3; i++)
        {
            await router.ChooseIdAsync();
        }

        router.Tell(new ReleaseBackend("worker-1"));

        (await router.ChooseIdAsync()).Should().Be("worker-1");
    }
}
