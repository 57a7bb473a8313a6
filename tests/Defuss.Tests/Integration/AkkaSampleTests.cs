using System.Text.Json;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>
/// samples/Defuss.Samples.Akka for real: an Akka.Hosting app whose own actor answers in every worker, and whose own
/// router (created by Akka's dependency injection, with an app service) runs in the primary, beside Defuss's supervisor.
/// </summary>
public abstract class AkkaSampleTests(string delivery)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff() : AkkaSampleTests(Delivery.Handoff);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy() : AkkaSampleTests(Delivery.Proxy);

    private Task<DefussProcess> StartAsync(params string[] settings) =>
        DefussProcess.StartAppAsync(DefussProcess.AkkaSamplePath, Delivery.With(delivery, settings));

    [Fact]
    public async Task Greet_IsAnsweredByTheGreeterActorOfAWorker_OneGreeterPerWorker()
    {
        await using var defuss = await StartAsync();
        var (worker0, worker1) = await defuss.ReadyPidsAsync();

        var greetings = new List<JsonElement>();
        for (var i = 0; i < 4; i++)
        {
            greetings.Add(JsonDocument.Parse(await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/greet/ada")).RootElement);
        }

        greetings.Should().OnlyContain(g => g.GetProperty("text").GetString() == "Hello, ada!");
        greetings.Select(g => g.GetProperty("pid").GetInt32()).Distinct().Should().BeEquivalentTo([worker0, worker1], "round robin over both workers");
        greetings.GroupBy(g => g.GetProperty("pid").GetInt32())
            .Should().OnlyContain(perWorker => perWorker.Select(g => g.GetProperty("count").GetInt64()).SequenceEqual(new long[] { 1, 2 }),
                "each worker's greeter counts its own greetings");
        defuss.Output.Should().MatchRegex(@"starting 2 workers \(load balancer TenantRouter\)");
        defuss.Output.Should().NotContain("The app's own actors", "the greeter runs in the workers only (WithWorkerActors)");
        defuss.Output.Should().NotContain("Defuss's actors are not started", "in a worker, WithDefuss does nothing at all");
    }

    [Fact]
    public async Task TenantRouter_KeepsAPinnedTenantOnItsWorker()
    {
        await using var defuss = await StartAsync("--Tenants:acme=1", DefussProcess.PatientInspection);
        var (_, worker1) = await defuss.ReadyPidsAsync();

        for (var i = 0; i < 5; i++)
        {
            var greeting = JsonDocument.Parse(await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/greet/acme", ("X-Tenant", "acme"))).RootElement;
            greeting.GetProperty("pid").GetInt32().Should().Be(worker1);
            greeting.GetProperty("worker").GetInt32().Should().Be(1);
        }
    }

    [Fact]
    public async Task SigTerm_DrainsTheWorkersAndExitsZero_WithNoAkkaLinesOnTheConsole()
    {
        var defuss = await StartAsync();
        await using (defuss)
        {
            await defuss.ReadyPidsAsync();
            (await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/greet/bob")).Should().Contain("Hello, bob!");

            (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
            await defuss.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
        }

        defuss.Output.Should().MatchRegex(@"Worker 0 \(pid \d+\) stopped with exit code 0");
        defuss.Output.Should().MatchRegex(@"Worker 1 \(pid \d+\) stopped with exit code 0");
        defuss.Output.Should().NotMatchRegex(@"\[(DEBUG|INFO|WARNING)\]\[", "no line in Akka's own console format");
        defuss.Output.Should().NotContainEquivalentOf("dead letter");
    }
}
