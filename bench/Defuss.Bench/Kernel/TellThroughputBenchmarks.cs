using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Defuss.Actors;

namespace Defuss.Bench.Kernel;

/// <summary>
/// Messages per second through the kernel's mailboxes: a one-way burst from one actor to another, and a ping-pong
/// where every message waits for the one before it (so it measures the wake-up latency of an idle actor).
/// </summary>
/// <remarks>One operation is one delivered message, so the reported time per operation is the inverse of the throughput.</remarks>
[MemoryDiagnoser]
[OperationsPerSecond]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class TellThroughputBenchmarks
{
    private const int BurstSize = 100_000;
    private const int RoundTrips = 10_000;

    /// <summary>Far above any expected run, so that a lost message fails the benchmark instead of hanging it.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private ActorSystem _system = null!;
    private IActorRef _burstSender = null!;
    private IActorRef _rallyServer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("tell-bench");
        var receiver = _system.ActorOf(Props.Create(() => new CountingReceiver()), "receiver");
        _burstSender = _system.ActorOf(Props.Create(() => new BurstSender(receiver)), "burst-sender");
        var echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        _rallyServer = _system.ActorOf(Props.Create(() => new RallyServer(echo)), "rally-server");
    }

    [GlobalCleanup]
    public Task Cleanup() => _system.Terminate().WaitAsync(Timeout);

    /// <summary>One actor tells another <see cref="BurstSize"/> messages; ends when the receiver has counted them all.</summary>
    [Benchmark(OperationsPerInvoke = BurstSize)]
    public Task Tell()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _burstSender.Tell(new SendBurst(BurstSize, done));
        return done.Task.WaitAsync(Timeout);
    }

    /// <summary>Two actors bounce one message back and forth: <see cref="RoundTrips"/> round trips, two messages each.</summary>
    [Benchmark(OperationsPerInvoke = 2 * RoundTrips)]
    public Task PingPong()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _rallyServer.Tell(new Rally(RoundTrips, done));
        return done.Task.WaitAsync(Timeout);
    }
}
