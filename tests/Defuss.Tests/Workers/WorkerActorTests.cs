using Defuss.Actors;
using Defuss.Actors.Routing;
using Defuss.Actors.TestKit;
using Defuss.Actors.Workers;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Workers;

public sealed class WorkerActorTests : TestKit
{
    private readonly FakeWorkerProcessLauncher _launcher = new();
    private readonly TestProbe _router;
    private readonly TestProbe _events;
    private readonly TestProbe _parent;

    public WorkerActorTests()
    {
        _router = CreateTestProbe("router");
        _events = CreateTestProbe("events");
        _parent = CreateTestProbe("parent");
    }

    private static WorkerPoolSettings Settings(bool respawn = true) => new()
    {
        Workers = 1,
        EndpointFor = (index, incarnation) => $"unix:/tmp/defuss-test/w{index}-{incarnation}.sock",
        ControlEndpoint = "/tmp/defuss-test/control.sock",
        StartupTimeout = TimeSpan.FromSeconds(30),
        RespawnWorkers = respawn,
        RestartBackoffMin = TimeSpan.FromMilliseconds(100),
        RestartBackoffMax = TimeSpan.FromSeconds(10),
    };

    /// <summary>Starts worker 0 under a probe parent (so that WorkerStopped reaches the probe).</summary>
    private IActorRef StartWorker(WorkerPoolSettings? settings = null)
    {
        var pool = settings ?? Settings();
        var supervisor = Sys.ActorOf(Props.Create(() => new ForwardingParent(
            Props.Create(() => new WorkerActor(0, pool, _launcher, _router.Ref, _events.Ref)), _parent.Ref)));
        return supervisor;
    }

    private static Hello HelloFor(FakeWorkerProcess process) => new(
        process.Request.Index,
        process.Request.Incarnation,
        process.Pid,
        process.Request.Environment[WorkerEnvironment.Secret]);

    /// <summary>Runs the handshake for <paramref name="process"/> and returns the worker actor's ref.</summary>
    private async Task<IActorRef> ConnectAndReadyAsync(IActorRef parent, FakeWorkerProcess process)
    {
        var reply = await parent.Ask<HelloAccepted>(new WorkerHello(HelloFor(process), new FakeControlSession()), TimeSpan.FromSeconds(10));
        reply.Worker.Tell(new WorkerReport(process.Request.Incarnation, new Ready("unix:/tmp/defuss-test/w0-1.sock")));
        await _events.FishForMessageAsync<WorkerReady>(_ => true);
        return reply.Worker;
    }

    [Fact]
    public async Task PreStart_LaunchesAProcessWithTheWorkerEnvironment()
    {
        StartWorker();

        var process = await _launcher.NextLaunchAsync();
        var environment = process.Request.Environment;
        environment[WorkerEnvironment.Role].Should().Be("worker");
        environment[WorkerEnvironment.Index].Should().Be("0");
        environment[WorkerEnvironment.Incarnation].Should().Be("1");
        environment[WorkerEnvironment.ControlEndpoint].Should().Be("/tmp/defuss-test/control.sock");
        environment[WorkerEnvironment.Secret].Should().HaveLength(64);
        _events.ExpectMsg<WorkerStarted>(e => e.Pid == process.Pid && e.Incarnation == 1);
    }

    [Fact]
    public async Task Hello_WithTheWrongSecret_IsRejected()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();

        var reply = await parent.Ask<HelloRejected>(
            new WorkerHello(HelloFor(process) with { Secret = new string('0', 64) }, new FakeControlSession()),
            TimeSpan.FromSeconds(10));

        reply.Reason.Should().Contain("secret");
        _events.FishForMessage<WorkerHelloRejected>(_ => true);
    }

    [Fact]
    public async Task Hello_FromAnOlderIncarnation_IsRejected()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();

        var reply = await parent.Ask<HelloRejected>(
            new WorkerHello(HelloFor(process) with { Incarnation = 0 }, new FakeControlSession()),
            TimeSpan.FromSeconds(10));

        reply.Reason.Should().Contain("incarnation");
    }

    [Fact]
    public async Task Ready_PublishesTheWorkerToTheRouter()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();

        await ConnectAndReadyAsync(parent, process);

        var update = _router.ExpectMsg<BackendUpdated>();
        update.Backend.Id.Should().Be("worker-0");
        update.Backend.Pid.Should().Be(process.Pid);
        update.Backend.Ready.Should().BeTrue();
        update.Backend.Healthy.Should().BeTrue();
    }

    [Fact]
    public async Task ProcessExit_RemovesFromTheRouterAndRespawnsAfterTheBackoff()
    {
        var parent = StartWorker();
        var first = await _launcher.NextLaunchAsync();
        await ConnectAndReadyAsync(parent, first);
        _router.ExpectMsg<BackendUpdated>();

        first.ErrorOutput.Add("boom");
        first.Exit(13);

        _router.ExpectMsg<BackendRemoved>(r => r.Id == "worker-0");
        var exited = _events.FishForMessage<WorkerExited>(_ => true);
        exited.Exit.ExitCode.Should().Be(13);
        exited.Expected.Should().BeFalse();
        exited.RecentErrorOutput.Should().Equal("boom");
        var scheduled = _events.ExpectMsg<WorkerRespawnScheduled>();
        scheduled.Delay.Should().Be(TimeSpan.FromMilliseconds(100));

        Clock.Advance(TimeSpan.FromMilliseconds(99));
        _events.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _launcher.HasPendingLaunch.Should().BeFalse();

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        var second = await _launcher.NextLaunchAsync();
        second.Request.Incarnation.Should().Be(2);
        second.Request.Environment[WorkerEnvironment.Secret].Should().NotBe(first.Request.Environment[WorkerEnvironment.Secret]);
    }

    [Fact]
    public async Task ProcessExit_WithRespawnOff_StartsNothing()
    {
        var parent = StartWorker(Settings(respawn: false));
        var process = await _launcher.NextLaunchAsync();
        await ConnectAndReadyAsync(parent, process);

        process.Exit(1);

        _events.FishForMessage<WorkerExited>(_ => true);
        Clock.Advance(TimeSpan.FromMinutes(1));
        _events.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _launcher.HasPendingLaunch.Should().BeFalse();
    }

    [Fact]
    public async Task Report_FromAnOlderIncarnation_IsDropped()
    {
        var parent = StartWorker();
        var first = await _launcher.NextLaunchAsync();
        var worker = await ConnectAndReadyAsync(parent, first);
        _router.ExpectMsg<BackendUpdated>();
        first.Exit(1);
        _router.ExpectMsg<BackendRemoved>();
        _events.FishForMessage<WorkerRespawnScheduled>(_ => true);
        Clock.Advance(TimeSpan.FromMilliseconds(100));
        await _launcher.NextLaunchAsync();

        worker.Tell(new WorkerReport(1, new Ready("unix:/old.sock")));

        _router.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task LaunchFailure_IsReportedAndRetriedAfterTheBackoff()
    {
        _launcher.FailNextLaunch = new InvalidOperationException("no such program");
        StartWorker();

        _events.ExpectMsg<WorkerLaunchFailed>(e => e.Reason == "no such program");
        _events.ExpectMsg<WorkerRespawnScheduled>();
        Clock.Advance(TimeSpan.FromSeconds(10));

        var process = await _launcher.NextLaunchAsync();
        process.Request.Incarnation.Should().Be(2);
    }

    [Fact]
    public async Task StartupTimeout_KillsTheProcessAndStartsAnother()
    {
        StartWorker();
        var process = await _launcher.NextLaunchAsync();
        _events.ExpectMsg<WorkerStarted>();

        Clock.Advance(TimeSpan.FromSeconds(30));

        _events.ExpectMsg<WorkerStartupTimedOut>(e => e.Pid == process.Pid);
        process.KillCalls.Should().Be(1);
        _events.ExpectMsg<WorkerExited>(e => e.Exit.Signal == "SIGKILL");
    }

    [Fact]
    public async Task StopWorker_SendsStopOverTheControlChannelAndKillsAtTheDeadline()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var session = new FakeControlSession();
        var accepted = await parent.Ask<HelloAccepted>(new WorkerHello(HelloFor(process), session), TimeSpan.FromSeconds(10));
        accepted.Worker.Tell(new WorkerReport(1, new Ready("unix:/tmp/w.sock")));
        await _events.FishForMessageAsync<WorkerReady>(_ => true);

        accepted.Worker.Tell(new StopWorker(TimeSpan.FromSeconds(10)));
        _router.FishForMessage<BackendRemoved>(_ => true);
        session.Stops.Should().Equal(TimeSpan.FromSeconds(10));
        process.KillCalls.Should().Be(0);

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
        var worker = await WorkerRefAsync(parent);

        worker.Tell(new StopWorker(TimeSpan.FromSeconds(5)));
        _router.FishForMessage<BackendRemoved>(_ => true);
        process.TerminateCalls.Should().Be(1);

        process.Exit(0);
        _parent.ExpectMsg<WorkerStopped>();
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

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(7, 6400)]
    [InlineData(8, 10000)]
    [InlineData(60, 10000)]
    public void RespawnDelay_DoublesPerFailureUpToTheCap(int failures, int expectedMs)
    {
        WorkerActor.RespawnDelay(failures, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10))
            .Should().Be(TimeSpan.FromMilliseconds(expectedMs));
    }

    private async Task<IActorRef> WorkerRefAsync(IActorRef parent) =>
        await parent.Ask<IActorRef>(ForwardingParent.GetChild.Instance, TimeSpan.FromSeconds(10));
}
