using Akka.Actor;
using Defuss.Actors.Workers;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Workers;

/// <summary>The elastic pool, on virtual time, with fake processes and made-up heartbeats.</summary>
public sealed partial class WorkerSupervisorTests
{
    private static readonly TimeSpan Beat = TimeSpan.FromSeconds(1);

    private static readonly ScalingPolicy Elastic = new()
    {
        MinWorkers = 1,
        MaxWorkers = 3,
        ScaleUpAfter = TimeSpan.FromSeconds(15),
        ScaleDownAfter = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public async Task Elastic_StartsAtItsMinimum_AndScalesUpAfterTheDelayAndNotOneBeatBefore()
    {
        var supervisor = StartElasticPool();
        var first = (await LaunchesAsync(1)).Single();
        await ReadyAsync(supervisor, first);

        // The first saturated beat starts the clock; ScaleUpAfter later, and not one beat before, one more worker starts.
        await BeatAsync(supervisor, Beat, (first, 90, 2));
        await BeatAsync(supervisor, Elastic.ScaleUpAfter - Beat, (first, 90, 2));
        _launcher.HasPendingLaunch.Should().BeFalse("saturation has not held for ScaleUpAfter yet");

        await BeatAsync(supervisor, Beat, (first, 90, 2));

        (await _launcher.NextLaunchAsync()).Request.Index.Should().Be(1);
        var scaled = await _events.FishForMessageAsync<WorkerPoolScaled>(_ => true);
        scaled.Should().BeEquivalentTo(new { Index = 1, Workers = 2, Direction = "up", Reason = "mean CPU 90 % >= 70 % for 15 s", MeanCpuPercent = 90.0 });
    }

    [Fact]
    public async Task Elastic_ScalesUpOneAtATime_TheNextOnlyOnceTheLastIsReady()
    {
        var supervisor = StartElasticPool();
        var first = (await LaunchesAsync(1)).Single();
        await ReadyAsync(supervisor, first);
        await BeatAsync(supervisor, Elastic.ScaleUpAfter + Beat, (first, 95, 2));
        var second = await _launcher.NextLaunchAsync();

        await BeatAsync(supervisor, Elastic.ScaleUpAfter * 3, (first, 95, 2));
        _launcher.HasPendingLaunch.Should().BeFalse("worker 1 is not Ready yet: the pool is not settled");

        await ReadyAsync(supervisor, second);
        await BeatAsync(supervisor, Elastic.ScaleUpAfter + Beat, (first, 95, 2), (second, 95, 2));
        (await _launcher.NextLaunchAsync()).Request.Index.Should().Be(2);
        await BeatAsync(supervisor, Elastic.ScaleUpAfter * 3, (first, 95, 2), (second, 95, 2));
        _launcher.HasPendingLaunch.Should().BeFalse();
    }

    [Fact]
    public async Task Elastic_IdleLongEnough_RetiresTheHighestIndexWithADrain_AndAScaleUpTakesItsIndexAgain()
    {
        var supervisor = StartElasticPool();
        var first = (await LaunchesAsync(1)).Single();
        await ReadyAsync(supervisor, first);
        await BeatAsync(supervisor, Elastic.ScaleUpAfter + Beat, (first, 95, 2));
        var second = await _launcher.NextLaunchAsync();
        var session = await ReadyAsync(supervisor, second);

        await BeatAsync(supervisor, Elastic.ScaleDownAfter + Beat, (first, 2, 0), (second, 2, 0));

        var down = await _events.FishForMessageAsync<WorkerPoolScaled>(e => e.Direction == "down");
        down.Should().BeEquivalentTo(new { Index = 1, Workers = 1 });
        await _router.FishForMessageAsync<Defuss.Actors.Routing.BackendRemoved>(r => r.Id == "worker-1");
        session.Stops.Should().Equal([TimeSpan.FromSeconds(10)], "the retiring worker drains within the drain timeout, as at a shutdown");
        second.KillCalls.Should().Be(0);
        second.Exit(0);
        await _events.FishForMessageAsync<WorkerExited>(e => e.Pid == second.Pid && e.Expected);
        await supervisor.HandledAsync();
        var gone = async () => await Sys.ActorSelection("/user/supervisor/worker-1").ResolveOne(TimeSpan.FromSeconds(1));
        await gone.Should().ThrowAsync<ActorNotFoundException>("the retired worker's actor goes with its process");

        await BeatAsync(supervisor, Elastic.ScaleUpAfter + Beat, (first, 95, 2));
        (await _launcher.NextLaunchAsync()).Request.Index.Should().Be(1, "a new worker takes the lowest free index");
    }

    [Fact]
    public async Task Elastic_AWorkerThatKeepsCrashing_DoesNotMakeThePoolGrow()
    {
        var supervisor = StartElasticPool(Elastic with { MinWorkers = 2 });
        var processes = await LaunchesAsync(2);
        await ReadyAsync(supervisor, processes[0]);
        processes[1].Exit(1);

        await BeatAsync(supervisor, Elastic.ScaleUpAfter * 4, (processes[0], 99, 50));

        // Worker 1 keeps being respawned (and never gets Ready): those launches are its own, never a worker 2. The first
        // respawn is waited for (the supervisor launches it on its own turn); then every launch made so far is taken.
        var launched = new List<int> { (await _launcher.NextLaunchAsync()).Request.Index };
        while (_launcher.HasPendingLaunch)
        {
            launched.Add((await _launcher.NextLaunchAsync()).Request.Index);
        }

        launched.Should().OnlyContain(index => index == 1, "capacity the pool never had is not load");
    }

    [Fact]
    public async Task ScalePool_WithinTheBounds_AnswersOnceTheNewWorkersAreReady()
    {
        var supervisor = StartElasticPool();
        var first = (await LaunchesAsync(1)).Single();
        await ReadyAsync(supervisor, first);

        var resized = supervisor.Ask<object>(new ScalePool(3), TestTimeouts.Default);
        var added = await LaunchesAsync(2);
        added.Select(p => p.Request.Index).Should().Equal(1, 2);
        await ReadyAsync(supervisor, added[0]);
        await ReadyAsync(supervisor, added[1]);
        resized.IsCompleted.Should().BeFalse("Ready means heartbeating, and the new workers have not beaten yet");

        await BeatAsync(supervisor, Beat, (first, 10, 0), (added[0], 10, 0), (added[1], 10, 0));

        (await resized).Should().Be(new PoolResized(3));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public async Task ScalePool_OutsideTheBounds_IsRefusedNamingThem(int workers)
    {
        var supervisor = StartElasticPool();

        var answer = await supervisor.Ask<object>(new ScalePool(workers), TestTimeouts.Default);

        answer.Should().Be(new ScaleRefused($"{workers} workers is outside Defuss:MinWorkers..Defuss:MaxWorkers (1..3)"));
    }

    [Fact]
    public async Task ScalePoolBy_AFixedPool_ChangesItsSize_AndNeverBelowOne()
    {
        var supervisor = StartPool(1);
        var first = (await LaunchesAsync(1)).Single();
        var session = await ReadyAsync(supervisor, first);

        supervisor.Tell(new ScalePoolBy(+1));
        (await _launcher.NextLaunchAsync()).Request.Index.Should().Be(1);
        supervisor.Tell(new ScalePoolBy(-1));
        supervisor.Tell(new ScalePoolBy(-1));
        supervisor.Tell(new ScalePoolBy(-1));
        await supervisor.HandledAsync();

        session.Stops.Should().BeEmpty("worker 0 is the last: a pool keeps at least one");
        (await _events.FishForMessageAsync<WorkerPoolScaled>(e => e.Direction == "down")).Index.Should().Be(1);
    }

    [Fact]
    public async Task RollingRestart_DuringAScaleDown_SkipsTheRetiringWorker_AndEndsWithTheSmallerPool()
    {
        var supervisor = StartPool(3);
        var processes = await LaunchesAsync(3);
        foreach (var process in processes)
        {
            await ReadyAsync(supervisor, process);
        }

        var restart = supervisor.Ask<RollingRestartCompleted>(new RollingRestart(TimeSpan.FromSeconds(10)), TestTimeouts.Default);
        await supervisor.HandledAsync();
        supervisor.Tell(new ScalePoolBy(-1));
        await supervisor.HandledAsync();
        processes[2].Exit(0);

        // Worker 0 is being replaced; worker 1 follows; worker 2 retires instead of being replaced.
        for (var index = 0; index < 2; index++)
        {
            var replacement = await _launcher.NextLaunchAsync();
            replacement.Request.Index.Should().Be(index);
            await ReadyAsync(supervisor, replacement);
            processes[index].Exit(0);
        }

        (await restart).Replaced.Should().Be(2);
        _launcher.HasPendingLaunch.Should().BeFalse("the retired worker is not started again");
    }

    [Fact]
    public async Task ScaleUp_DuringARollingRestart_AddsAWorkerThatTheRestartLeavesAlone()
    {
        var supervisor = StartPool(1);
        var first = (await LaunchesAsync(1)).Single();
        await ReadyAsync(supervisor, first);

        var restart = supervisor.Ask<RollingRestartCompleted>(new RollingRestart(TimeSpan.FromSeconds(10)), TestTimeouts.Default);
        var replacement = await _launcher.NextLaunchAsync();
        supervisor.Tell(new ScalePoolBy(+1));
        var added = await _launcher.NextLaunchAsync();
        await ReadyAsync(supervisor, replacement);
        await ReadyAsync(supervisor, added);
        first.Exit(0);

        (await restart).Replaced.Should().Be(1, "the worker the restart found was replaced, the new one was already new");
        (replacement.Request.Index, added.Request.Index).Should().Be((0, 1));
        _launcher.HasPendingLaunch.Should().BeFalse();
    }

    private IActorRef StartElasticPool(ScalingPolicy? policy = null)
    {
        var supervisor = Sys.ActorOf(
            WorkerSupervisor.PropsFor(
                new WorkerPoolSettings
                {
                    Workers = 1,
                    EndpointFor = (index, incarnation) => $"unix:/tmp/defuss-test/w{index}-{incarnation}.sock",
                    ControlEndpoint = "/tmp/defuss-test/control.sock",
                    HeartbeatInterval = Beat,
                    HeartbeatStaleAfter = TimeSpan.FromHours(1),
                    StartupTimeout = TimeSpan.FromHours(1),
                    Scaling = policy ?? Elastic,
                },
                _launcher,
                _router.Ref,
                _events.Ref),
            "supervisor");
        supervisor.Tell(StartWorkers.Instance);
        return supervisor;
    }

    /// <summary>Heartbeats from <paramref name="workers"/>, one a second of virtual time, for <paramref name="duration"/>.</summary>
    private async Task BeatAsync(IActorRef supervisor, TimeSpan duration, params (FakeWorkerProcess Process, double Cpu, long InFlight)[] workers)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += Beat)
        {
            Clock.Advance(Beat);
            foreach (var (process, cpu, inFlight) in workers)
            {
                Sys.EventStream.Publish(new WorkerStatsReported(
                    process.Request.Index, process.Request.Incarnation, process.Pid, new WorkerStats(process.Pid, cpu, 1, 1, 1, 0, 0, 0, inFlight, 1000, 0)));
            }

            await supervisor.HandledAsync();
        }
    }
}
