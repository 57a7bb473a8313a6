using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Workers;

public sealed partial class WorkerActorTests
{
    [Fact]
    public async Task MissedHeartbeatDeadline_MarksStaleStopsKillsAfterTheGraceAndRespawns()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var session = new FakeControlSession();
        var worker = await ConnectAndReadyAsync(parent, process, session);

        Clock.Advance(StaleAfter - TimeSpan.FromTicks(1));
        await _router.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Clock.Advance(TimeSpan.FromTicks(1));

        _router.ExpectMsg<BackendRemoved>(r => r.Id == "worker-0");
        _events.FishForMessage<WorkerStale>(s => s.Pid == process.Pid).Silence.Should().Be(StaleAfter);
        await worker.HandledAsync();
        session.Stops.Should().Equal(KillGrace);
        process.KillCalls.Should().Be(0);

        Clock.Advance(KillGrace);

        _events.FishForMessage<WorkerExited>(e => e.Exit.Signal == "SIGKILL");
        process.KillCalls.Should().Be(1);
        Clock.Advance(_events.FishForMessage<WorkerRespawnScheduled>(_ => true).Delay);
        (await _launcher.NextLaunchAsync()).Request.Incarnation.Should().Be(2);
    }

    [Fact]
    public async Task HeartbeatsInTime_KeepTheWorkerReady()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var worker = await ConnectAndReadyAsync(parent, process);

        for (var beat = 0; beat < 5; beat++)
        {
            Clock.Advance(StaleAfter - TimeSpan.FromMilliseconds(1));
            worker.Tell(new WorkerReport(1, new Heartbeat(Stats(process.Pid))));
            (await _router.ExpectMsgAsync<BackendUpdated>()).Backend.Healthy.Should().BeTrue();
        }

        await _events.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        process.KillCalls.Should().Be(0);
    }

    [Fact]
    public async Task Heartbeat_OfAReadyWorker_PublishesItsStatsOnTheEventStream()
    {
        var stats = CreateTestProbe();
        Sys.EventStream.Subscribe(stats.Ref, typeof(WorkerStatsReported));
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var worker = await ConnectAndReadyAsync(parent, process);
        await stats.ExpectNoMsgAsync(TestTimeouts.NoMessage);

        worker.Tell(new WorkerReport(1, new Heartbeat(Stats(process.Pid) with { WorkingSetBytes = 4242 })));
        worker.Tell(new WorkerReport(1, new Heartbeat(Stats(process.Pid) with { WorkingSetBytes = 4343 })));

        (await stats.ExpectMsgAsync<WorkerStatsReported>()).Should().Be(
            new WorkerStatsReported(0, 1, process.Pid, Stats(process.Pid) with { WorkingSetBytes = 4242 }));
        var second = await stats.ExpectMsgAsync<WorkerStatsReported>();
        second.Stats.WorkingSetBytes.Should().Be(4343, "every heartbeat is published, in order");
        second.WorkerId.Should().Be("worker-0");
    }

    [Fact]
    public async Task Heartbeat_BeforeTheWorkerIsReady_PublishesNothing()
    {
        var stats = CreateTestProbe();
        Sys.EventStream.Subscribe(stats.Ref, typeof(WorkerStatsReported));
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var accepted = await parent.Ask<HelloAccepted>(new WorkerHello(HelloFor(process), new FakeControlSession()), TimeSpan.FromSeconds(10));

        accepted.Worker.Tell(new WorkerReport(1, new Heartbeat(Stats(process.Pid))));
        await accepted.Worker.HandledAsync();

        await stats.ExpectNoMsgAsync(TestTimeouts.NoMessage);
        _router.HasMessages.Should().BeFalse("a worker that is not Ready is not routable either");
    }

    [Fact]
    public async Task StartupTimeout_KillsTheProcessAndStartsAnother()
    {
        StartWorker();
        var process = await _launcher.NextLaunchAsync();
        _events.ExpectMsg<WorkerStarted>();

        Clock.Advance(TimeSpan.FromSeconds(30));

        _events.ExpectMsg<WorkerStartupTimedOut>(e => e.Pid == process.Pid);
        _events.ExpectMsg<WorkerExited>(e => e.Exit.Signal == "SIGKILL");
        process.KillCalls.Should().Be(1);
    }

    [Fact]
    public async Task StopWorker_SendsStopOverTheControlChannelAndKillsAtTheDeadline()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var session = new FakeControlSession();
        var worker = await ConnectAndReadyAsync(parent, process, session);

        worker.Tell(new StopWorker(TimeSpan.FromSeconds(10)));
        _router.FishForMessage<BackendRemoved>(_ => true);
        _events.FishForMessage<WorkerDraining>(d => d.Pid == process.Pid).Reason.Should().Be("Defuss is stopping");
        session.Stops.Should().Equal(TimeSpan.FromSeconds(10));
        process.KillCalls.Should().Be(0);
        await worker.HandledAsync();

        Clock.Advance(TimeSpan.FromSeconds(10));

        _parent.ExpectMsg<WorkerStopped>(s => s.Index == 0);
        process.KillCalls.Should().Be(1);
        _events.FishForMessage<WorkerExited>(e => e.Expected);
        Clock.Advance(TimeSpan.FromMinutes(1));
        _launcher.HasPendingLaunch.Should().BeFalse();
    }

    [Fact]
    public async Task StopWorker_WithoutAControlChannel_TerminatesTheProcess()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        _events.ExpectMsg<WorkerStarted>();
        var worker = await parent.Ask<IActorRef>(ForwardingParent.GetChild.Instance, TimeSpan.FromSeconds(10));

        worker.Tell(new StopWorker(TimeSpan.FromSeconds(5)));
        _router.FishForMessage<BackendRemoved>(_ => true);
        await worker.HandledAsync();
        process.TerminateCalls.Should().Be(1);

        process.Exit(0);
        _parent.ExpectMsg<WorkerStopped>();
    }

    [Fact]
    public async Task StopWorker_AtOnceThenGraceful_TheLaterLongerDeadlineDoesNotPostponeTheKill()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        _events.ExpectMsg<WorkerStarted>();
        var worker = await parent.Ask<IActorRef>(ForwardingParent.GetChild.Instance, TimeSpan.FromSeconds(10));

        worker.Tell(new StopWorker(TimeSpan.FromSeconds(1)));
        worker.Tell(new StopWorker(TimeSpan.FromSeconds(30)));
        _router.FishForMessage<BackendRemoved>(_ => true);
        await worker.HandledAsync();
        Clock.Advance(TimeSpan.FromSeconds(1));

        (await _events.FishForMessageAsync<WorkerExited>(e => e.Pid == process.Pid)).Exit.Signal.Should().Be("SIGKILL", "the process is killed at the first, sooner deadline");
        process.KillCalls.Should().Be(1);
    }

    [Fact]
    public async Task StopWorker_DuringTheBackoff_CancelsTheRespawn()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var worker = await parent.Ask<IActorRef>(ForwardingParent.GetChild.Instance, TimeSpan.FromSeconds(10));
        await ExitAndGetRespawnDelayAsync(process);

        worker.Tell(new StopWorker(TimeSpan.FromSeconds(5)));

        _parent.ExpectMsg<WorkerStopped>();
        Clock.Advance(TimeSpan.FromMinutes(1));
        _launcher.HasPendingLaunch.Should().BeFalse();
    }

    [Fact]
    public async Task ActorRestart_KeepsTheOneRunningProcess()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var session = new FakeControlSession { FailOnStop = new InvalidOperationException("a fault in Defuss") };
        var worker = await ConnectAndReadyAsync(parent, process, session);

        Clock.Advance(StaleAfter);
        _events.FishForMessage<WorkerStale>(_ => true);

        await _router.FishForMessageAsync<BackendRemoved>(_ => true);
        await _router.ExpectMsgAsync<BackendRemoved>();
        await worker.HandledAsync();
        process.KillCalls.Should().Be(0, "the actor restart must not kill its process");
        _launcher.HasPendingLaunch.Should().BeFalse("the actor restart must not start a second process");

        Clock.Advance(KillGrace);

        _events.FishForMessage<WorkerExited>(e => e.Pid == process.Pid && e.Exit.Signal == "SIGKILL");
        process.KillCalls.Should().Be(1);
        Clock.Advance(_events.FishForMessage<WorkerRespawnScheduled>(_ => true).Delay);
        (await _launcher.NextLaunchAsync()).Request.Incarnation.Should().Be(2);
        _launcher.HasPendingLaunch.Should().BeFalse();
    }

    [Fact]
    public async Task Stop_OfTheActor_KillsItsProcess()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        _events.ExpectMsg<WorkerStarted>();

        (await parent.GracefulStop(TimeSpan.FromSeconds(10))).Should().BeTrue();

        process.KillCalls.Should().Be(1);
    }

    [Fact]
    public async Task LaunchFailure_IsReportedAndRetriedAfterTheBackoff()
    {
        _launcher.FailNextLaunch = new InvalidOperationException("no such program");
        StartWorker();

        _events.ExpectMsg<WorkerLaunchFailed>(e => e.Reason == "no such program");
        Clock.Advance(_events.ExpectMsg<WorkerRespawnScheduled>().Delay);

        (await _launcher.NextLaunchAsync()).Request.Incarnation.Should().Be(2);
    }

    [Fact]
    public async Task Report_FromAnOlderIncarnation_IsDropped()
    {
        var parent = StartWorker();
        var first = await _launcher.NextLaunchAsync();
        var worker = await ConnectAndReadyAsync(parent, first);
        Clock.Advance(await ExitAndGetRespawnDelayAsync(first));
        await _launcher.NextLaunchAsync();
        await _router.FishForMessageAsync<BackendRemoved>(_ => true);

        worker.Tell(new WorkerReport(1, new Ready("unix:/old.sock")));

        await _router.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }
}
