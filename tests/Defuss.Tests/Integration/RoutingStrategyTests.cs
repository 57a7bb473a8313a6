using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>Routing strategies chosen by configuration, through the front door to two real worker processes.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed class RoutingStrategyTests
{
    [Fact]
    public async Task ConsistentHash_BySessionHeader_KeepsEachSessionOnOneWorker()
    {
        await using var defuss = await DefussProcess.StartAsync("--Defuss:LoadBalancer=consistenthash", "--Defuss:ConsistentHashKey=header:X-Session-Id");
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
}
