using System.Net;
using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.TestSupport;

/// <summary>Candidates, requests and asks for router tests.</summary>
internal static class Routers
{
    public static readonly ParsedRequest AnyRequest = ParsedRequest.Unknown(new IPEndPoint(IPAddress.Loopback, 40000), ReadOnlyMemory<byte>.Empty);

    public static BackendCandidate Candidate(int index, bool ready = true, int pid = 100, WorkerStats? stats = null) => new(
        BackendCandidate.IdOf(index), index, new IPEndPoint(IPAddress.Loopback, 5000 + index), pid + index,
        ready, ready, DateTimeOffset.UnixEpoch, 0, stats);

    public static WorkerStats Stats(double cpuPercent, long gcHeap, long gcCommitted) =>
        new(1, cpuPercent, 0, gcHeap, gcCommitted, 0, 0, 0, 0, 0, 0);

    public static ParsedRequest Http(string? header = null, string? value = null, IPAddress? client = null)
    {
        IReadOnlyList<KeyValuePair<string, string>> headers = header is null ? [] : [new(header, value ?? "")];
        return new ParsedRequest(RequestProtocol.Http1, "GET", "/", "HTTP/1.1", "localhost", headers,
            new IPEndPoint(client ?? IPAddress.Loopback, 40000), ReadOnlyMemory<byte>.Empty);
    }

    public static IActorRef WithBackends(this IActorRef router, params BackendCandidate[] backends)
    {
        foreach (var backend in backends)
        {
            router.Tell(new BackendUpdated(backend));
        }

        return router;
    }

    public static async Task<object> ChooseAsync(this IActorRef router, ParsedRequest? request = null) =>
        await router.Ask<object>(new ChooseBackend(request ?? AnyRequest), TestTimeouts.Default).WaitAsync(TestTimeouts.Default);

    public static async Task<string?> ChooseIdAsync(this IActorRef router, ParsedRequest? request = null) =>
        (await router.ChooseAsync(request) as BackendLease)?.Backend.Id;

    public static async Task<RouterStats> StatsAsync(this IActorRef router) =>
        await router.Ask<RouterStats>(GetRouterStats.Instance, TestTimeouts.Default).WaitAsync(TestTimeouts.Default);
}
