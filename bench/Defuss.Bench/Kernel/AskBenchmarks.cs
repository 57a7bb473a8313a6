using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Defuss.Actors;

namespace Defuss.Bench.Kernel;

/// <summary>The round trip of <c>Ask</c> to an actor that replies at once: one ask at a time, and a batch in flight together.</summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class AskBenchmarks
{
    private const int BatchSize = 100;

    /// <summary>Far above any expected round trip, so that a lost reply fails the benchmark instead of hanging it.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly Task<Pong>[] _batch = new Task<Pong>[BatchSize];
    private ActorSystem _system = null!;
    private IActorRef _echo = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("ask-bench");
        _echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");
    }

    [GlobalCleanup]
    public Task Cleanup() => _system.Terminate().WaitAsync(Timeout);

    /// <summary>One ask, awaited before the next: the latency of a request-reply.</summary>
    [Benchmark]
    public Task Ask() => _echo.Ask<Pong>(Ping.Instance, Timeout);

    /// <summary><see cref="BatchSize"/> asks in flight at once; the time per operation is one ask's share.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public Task AskBatch()
    {
        for (var i = 0; i < BatchSize; i++)
        {
            _batch[i] = _echo.Ask<Pong>(Ping.Instance, Timeout);
        }

        return Task.WhenAll(_batch);
    }
}
