using Akka.Hosting;
using Defuss.Actors.Routing;
using Defuss.Hosting;
using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Defuss.Tests.Hosting;

/// <summary>Defuss inside an Akka.Hosting app's own actor system: a primary in the test's process, with a real worker.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed class DefussAkkaExtensionsTests
{
    [Fact]
    public void WithDefuss_CalledTwice_KeepsOneSetupAndAppliesBothDelegatesInOrder()
    {
        var akka = new AkkaConfigurationBuilder(new ServiceCollection(), "app");

        akka.WithDefuss(options => options.Port = 8080).WithDefuss(options => options.Port += 1);

        akka.Setups.OfType<DefussAkkaSetup>().Should().ContainSingle();
        var options = new DefussOptions();
        DefussAkkaSetup.Of(akka)!.Configure!(options);
        options.Port.Should().Be(8081);
    }

    [Fact]
    public async Task WithDefuss_InTheAppsActorSystem_CreatesTheRouterWithTheAppsServices_AndRegistersBothRefs()
    {
        var placement = new PlacementService();
        await using var primary = await InProcessPrimary.StartAsync(builder =>
        {
            builder.Services.AddSingleton(placement);
            builder.Services.AddAkka("app", (akka, _) => akka.WithDefuss(defuss => defuss.UseRouter<InjectedRouter>()));
        });

        primary.ActorSystem.Name.Should().Be("app");
        var router = await primary.App.Services.GetRequiredService<IRequiredActor<DefussRouter>>().GetAsync().WaitAsync(TestTimeouts.Default);
        var supervisor = await primary.App.Services.GetRequiredService<IRequiredActor<DefussSupervisor>>().GetAsync().WaitAsync(TestTimeouts.Default);
        router.Path.ToStringWithoutAddress().Should().Be("/user/defuss-router");
        supervisor.Path.ToStringWithoutAddress().Should().Be("/user/defuss-supervisor");
        primary.Logs.Entries.Should().Contain(e => e.EventId.Id == 3100 && e.Message.Contains("load balancer InjectedRouter"));

        var endpoint = primary.Endpoint;
        var pid = await HttpTestClient.GetOnNewConnectionAsync(new Uri($"http://{endpoint}/"), "/pid");

        pid.Should().MatchRegex(@"^\d+$");
        placement.Calls.Should().BeGreaterThan(0, "the router the app's dependency injection created chose the worker");
    }

    [Fact]
    public async Task AppsActorSystemWithoutWithDefuss_DefussJoinsIt_AndSaysSo()
    {
        await using var primary = await InProcessPrimary.StartAsync(builder => builder.Services.AddAkka("app", (_, _) => { }));

        primary.ActorSystem.Name.Should().Be("app");
        primary.Logs.Entries.Should().ContainSingle(e => e.EventId.Id == 3126);
        (await primary.StopAsync()).Should().Be(0);
    }

    /// <summary>An app service that a router takes in its constructor.</summary>
    public sealed class PlacementService
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public BackendCandidate Place(IReadOnlyList<BackendCandidate> candidates)
        {
            Interlocked.Increment(ref _calls);
            return candidates[0];
        }
    }

    /// <summary>A router actor whose constructor takes an app service, as Akka's dependency injection provides it.</summary>
    public sealed class InjectedRouter(PlacementService placement) : RouterActorBase
    {
        protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates) => placement.Place(candidates);
    }
}
