using System.Net;
using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Routing;

public sealed class ConsistentHashRouterTests : ActorTest
{
    private IActorRef Router(string spec, int workers = 4)
    {
        RoutingKey.TryParse(spec, out var key).Should().BeTrue();
        return Sys.ActorOf(Props.Create(() => new ConsistentHashRouter(key!)))
            .WithBackends(Enumerable.Range(0, workers).Select(i => Routers.Candidate(i)).ToArray());
    }

    [Fact]
    public async Task ChooseBackend_SameHeaderValue_AlwaysLandsOnTheSameWorker()
    {
        var router = Router("header:X-Session-Id");

        var first = await router.ChooseIdAsync(Routers.Http("x-session-id", "abc"));
        for (var i = 0; i < 10; i++)
        {
            (await router.ChooseIdAsync(Routers.Http("X-Session-Id", "abc"))).Should().Be(first);
        }
    }

    [Fact]
    public async Task ChooseBackend_ByCookie_ReadsTheNamedCookie()
    {
        var router = Router("cookie:session");

        var first = await router.ChooseIdAsync(Routers.Http("Cookie", "theme=dark; session=s-42"));
        for (var i = 0; i < 5; i++)
        {
            (await router.ChooseIdAsync(Routers.Http("Cookie", $"theme=t{i}; session=s-42"))).Should().Be(first);
        }
    }

    [Fact]
    public async Task ChooseBackend_ByClientAddress_KeepsAClientOnOneWorker()
    {
        var router = Router("client-address");
        var client = IPAddress.Parse("10.1.2.3");

        var first = await router.ChooseIdAsync(Routers.Http(client: client));
        (await router.ChooseIdAsync(Routers.Http(client: client))).Should().Be(first);
    }

    [Fact]
    public async Task ChooseBackend_WithoutTheKey_GoesRoundRobin()
    {
        var router = Router("header:X-Session-Id", workers: 3);

        var chosen = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            chosen.Add(await router.ChooseIdAsync(Routers.Http()));
        }

        chosen.Should().Equal("worker-0", "worker-1", "worker-2");
    }

    [Fact]
    public async Task ChooseBackend_WorkerRemoved_MovesOnlyItsOwnShareOfKeys()
    {
        var router = Router("header:X-Session-Id");
        var random = new Random(1234);
        var keys = Enumerable.Range(0, 10_000).Select(_ => random.NextInt64().ToString("x", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        var before = await PlaceAsync(router, keys);
        router.Tell(new BackendRemoved("worker-2"));
        var after = await PlaceAsync(router, keys);

        var moved = keys.Where(k => before[k] != after[k]).ToArray();
        moved.Should().OnlyContain(k => before[k] == "worker-2");
        keys.Where(k => before[k] == "worker-2").Should().BeEquivalentTo(moved);
        ((double)moved.Length / keys.Length).Should().BeInRange(0.15, 0.35);
    }

    private static async Task<Dictionary<string, string?>> PlaceAsync(IActorRef router, string[] keys)
    {
        var placed = new Dictionary<string, string?>();
        foreach (var key in keys)
        {
            placed[key] = await router.ChooseIdAsync(Routers.Http("X-Session-Id", key));
        }

        return placed;
    }
}
