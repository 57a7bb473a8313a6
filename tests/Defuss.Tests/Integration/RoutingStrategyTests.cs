using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>Routing strategies chosen by configuration, through the front door to two real worker processes.</summary>
public abstract class RoutingStrategyTests(string delivery)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff() : RoutingStrategyTests(Delivery.Handoff);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy() : RoutingStrategyTests(Delivery.Proxy);

    /// <summary>Starts the Showcase in this class's delivery mode, with <paramref name="settings"/>; every strategy here routes by the head.</summary>
    private Task<DefussProcess> StartAsync(params string[] settings) => DefussProcess.StartAsync(Delivery.With(delivery, [DefussProcess.PatientInspection, .. settings]));

    [Fact]
    public async Task ConsistentHash_BySessionHeader_KeepsEachSessionOnOneWorker()
    {
        await using var defuss = await StartAsync("--Defuss:LoadBalancer=consistenthash", "--Defuss:ConsistentHashKey=header:X-Session-Id");
        await defuss.ReadyPidsAsync();

        var pidsBySession = new Dictionary<string, HashSet<string>>();
        for (var session = 0; session < 12; session++)
        {
            var pids = pidsBySession[$"s-{session}"] = [];
            for (var i = 0; i < 3; i++)
            {
                pids.Add(await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid", ("X-Session-Id", $"s-{session}")));
            }
        }

        pidsBySession.Values.Should().OnlyContain(pids => pids.Count == 1);
        pidsBySession.Values.SelectMany(pids => pids).Distinct().Should().HaveCount(2, "twelve sessions spread over both workers");
    }

    [Fact]
    public async Task ShowcaseStickyRouter_KeepsEachSessionOnItsWorkerUntilThatWorkerLeaves()
    {
        await using var defuss = await StartAsync("--Showcase:Router=Sticky");
        await defuss.WaitForLineAsync(@"starting 2 workers \(load balancer StickySessionRouter\)");
        var (worker0, _) = await defuss.ReadyPidsAsync();

        var pidsBySession = new Dictionary<string, HashSet<string>>();
        for (var session = 0; session < 6; session++)
        {
            pidsBySession[$"s-{session}"] = await PidsOfAsync(defuss, $"s-{session}", requests: 3);
        }

        pidsBySession.Values.Should().OnlyContain(pids => pids.Count == 1);
        var left = int.Parse(pidsBySession["s-0"].Single(), System.Globalization.CultureInfo.InvariantCulture);
        Native.Kill(left, Native.SIGKILL);
        await defuss.WaitForLineAsync($@"Worker {(left == worker0 ? 0 : 1)} ready: pid (?!{left}\b)\d+");

        var after = await PidsOfAsync(defuss, "s-0", requests: 3);
        after.Should().ContainSingle().Which.Should().NotBe(left.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<HashSet<string>> PidsOfAsync(DefussProcess defuss, string session, int requests)
    {
        var pids = new HashSet<string>();
        for (var i = 0; i < requests; i++)
        {
            pids.Add(await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid", ("X-Session-Id", session)));
        }

        return pids;
    }
}
