using System.Net;
using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Defuss.Actors.Routing;
using Defuss.FrontDoor;
using Defuss.Worker.Protocol;

namespace Defuss.Bench.Routing;

/// <summary>
/// The front door's one routing question per connection, one at a time and a batch in flight together: Akka's own
/// <c>Ask</c> against the lean ask the front door uses (<see cref="ActorBackendSelector"/>: a reply target that the
/// router's answer completes inline), both to the built-in round-robin router with two workers.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 10)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet's [GlobalCleanup] disposes the selector.")]
public class RoutingAskBenchmarks
{
    private const int BatchSize = 64;

    /// <summary>Far above any expected round trip, so that a lost reply fails the benchmark instead of hanging it.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static readonly ParsedRequest Request = new(
        RequestProtocol.Http1, "GET", "/", "HTTP/1.1", "localhost", [], new IPEndPoint(IPAddress.Loopback, 40000), ReadOnlyMemory<byte>.Empty);

    private readonly Task<object>[] _asks = new Task<object>[BatchSize];
    private readonly Task[] _choices = new Task[BatchSize];
    private readonly ChooseBackend _question = new(Request);
    private ActorSystem _system = null!;
    private IActorRef _router = null!;
    private ActorBackendSelector _selector = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        _router = _system.ActorOf(Props.Create(() => new RoundRobinRouter()), "router");
        foreach (var index in new[] { 0, 1 })
        {
            _router.Tell(new BackendUpdated(new BackendCandidate(
                BackendCandidate.IdOf(index), index, new IPEndPoint(IPAddress.Loopback, 5000 + index), 100 + index, true, true, DateTimeOffset.UnixEpoch, 0, null)));
        }

        _selector = new ActorBackendSelector(_router, Timeout);
    }

    [GlobalCleanup]
    public Task Cleanup()
    {
        _selector.Dispose();
        return _system.Terminate().WaitAsync(Timeout);
    }

    /// <summary>Akka's <c>Ask</c>, awaited before the next: a temporary actor registered per question, continuations async.</summary>
    [Benchmark(Baseline = true)]
    public async Task AkkaAsk() => Release(await _router.Ask<object>(_question, Timeout));

    /// <summary>The front door's ask, awaited before the next.</summary>
    [Benchmark]
    public async Task FrontDoorAsk() => _selector.Release((await _selector.ChooseAsync(Request, CancellationToken.None))!);

    /// <summary><see cref="BatchSize"/> of Akka's asks in flight at once; the time per operation is one ask's share.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public async Task AkkaAskBatch()
    {
        for (var i = 0; i < BatchSize; i++)
        {
            _asks[i] = _router.Ask<object>(_question, Timeout);
        }

        foreach (var answer in await Task.WhenAll(_asks))
        {
            Release(answer);
        }
    }

    /// <summary><see cref="BatchSize"/> of the front door's asks in flight at once.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public Task FrontDoorAskBatch()
    {
        for (var i = 0; i < BatchSize; i++)
        {
            _choices[i] = ChooseAndReleaseAsync();
        }

        return Task.WhenAll(_choices);
    }

    private async Task ChooseAndReleaseAsync() => _selector.Release((await _selector.ChooseAsync(Request, CancellationToken.None))!);

    /// <summary>Ends the lease, so that the router's connection counts stay where they were.</summary>
    private void Release(object answer) => _router.Tell(new ReleaseBackend(((BackendLease)answer).Backend.Id), ActorRefs.NoSender);
}
