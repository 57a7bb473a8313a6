using Akka.Actor;
using Akka.TestKit;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Workers;

public sealed partial class WorkerActorTests : ActorTest
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(2);

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

    private static WorkerPoolSettings Settings(bool respawn = true, RestartPolicy? restart = null) => new()
    {
        Workers = 1,
        EndpointFor = (index, incarnation) => $"unix:/tmp/defuss-test/w{index}-{incarnation}.sock",
        ControlEndpoint = "/tmp/defuss-test/control.sock",
        StartupTimeout = TimeSpan.FromSeconds(30),
        RespawnWorkers = respawn,
        Restart = restart ?? new RestartPolicy(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 10, TimeSpan.FromMinutes(1)),
        HeartbeatStaleAfter = StaleAfter,
        KillGrace = KillGrace,
        Random = () => 0,
    };

    /// <summary>Starts worker 0 under a parent that forwards what the worker tells it to <see cref="_parent"/>.</summary>
    private IActorRef StartWorker(WorkerPoolSettings? settings = null)
    {
        var pool = settings ?? Settings();
        var record = new WorkerRecord();
        var worker = Props.Create(() => new WorkerActor(0, record, pool, _launcher, _router.Ref, _events.Ref));
        return Sys.ActorOf(Props.Create(() => new ForwardingParent(worker, _parent.Ref)));
    }

    private static Hello HelloFor(FakeWorkerProcess process) => new(
        process.Request.Index,
        process.Request.Incarnation,
        process.Pid,
        process.Request.Environment[WorkerEnvironment.Secret]);

    /// <summary>The secret <paramref name="process"/> was started with, as it reads it from its environment.</summary>
    private static byte[] SecretOf(FakeWorkerProcess process) =>
        System.Text.Encoding.ASCII.GetBytes(process.Request.Environment[WorkerEnvironment.Secret]);

    /// <summary>Runs the handshake for <paramref name="process"/>, reports Ready, and returns the worker actor's ref.</summary>
    private async Task<IActorRef> ConnectAndReadyAsync(IActorRef parent, FakeWorkerProcess process, FakeControlSession? session = null)
    {
        var reply = await parent.Ask<HelloAccepted>(new WorkerHello(HelloFor(process), session ?? new FakeControlSession()), TimeSpan.FromSeconds(10));
        reply.Worker.Tell(new WorkerReport(process.Request.Incarnation, new Ready("unix:/tmp/defuss-test/w0.sock")));
        await _events.FishForMessageAsync<WorkerReady>(e => e.Incarnation == process.Request.Incarnation);
        await _router.FishForMessageAsync<BackendUpdated>(u => u.Backend.Pid == process.Pid);
        return reply.Worker;
    }

    /// <summary>Makes <paramref name="process"/> exit and returns the respawn delay the worker scheduled.</summary>
    private async Task<TimeSpan> ExitAndGetRespawnDelayAsync(FakeWorkerProcess process, int code = 1)
    {
        process.Exit(code);
        return (await _events.FishForMessageAsync<WorkerRespawnScheduled>(_ => true)).Delay;
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
        var reply = await parent.Ask<HelloAccepted>(new WorkerHello(HelloFor(process), new FakeControlSession()), TimeSpan.FromSeconds(10));

        reply.Worker.Tell(new WorkerReport(1, new Ready("unix:/tmp/defuss-test/w0.sock")));

        var update = _router.ExpectMsg<BackendUpdated>();
        update.Backend.Id.Should().Be("worker-0");
        update.Backend.Pid.Should().Be(process.Pid);
        update.Backend.Ready.Should().BeTrue();
        update.Backend.Healthy.Should().BeTrue();
        update.Backend.Secret.ToArray().Should().Equal(SecretOf(process), "the front door proves itself to the worker with it");
    }

    [Fact]
    public async Task ProcessExit_RemovesFromTheRouterAndRespawnsAfterTheBackoffNotATickBefore()
    {
        var parent = StartWorker();
        var first = await _launcher.NextLaunchAsync();
        await ConnectAndReadyAsync(parent, first);

        first.ErrorOutput.Add("boom");
        first.Exit(13);

        _router.ExpectMsg<BackendRemoved>(r => r.Id == "worker-0");
        var exited = _events.FishForMessage<WorkerExited>(_ => true);
        exited.Exit.ExitCode.Should().Be(13);
        exited.Expected.Should().BeFalse();
        exited.RecentErrorOutput.Should().Equal("boom");
        _events.ExpectMsg<WorkerRespawnScheduled>().Delay.Should().Be(TimeSpan.FromMilliseconds(100));

        Clock.Advance(TimeSpan.FromMilliseconds(100) - TimeSpan.FromTicks(1));
        await _events.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        _launcher.HasPendingLaunch.Should().BeFalse();

        Clock.Advance(TimeSpan.FromTicks(1));
        var second = await _launcher.NextLaunchAsync();
        second.Request.Incarnation.Should().Be(2);
        second.Request.Environment[WorkerEnvironment.Secret].Should().NotBe(first.Request.Environment[WorkerEnvironment.Secret]);
    }

    [Fact]
    public async Task Backoff_DoublesWithEveryFailureAndStopsAtTheCap()
    {
        var policy = new RestartPolicy(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(30), 10, TimeSpan.FromMinutes(1));
        StartWorker(Settings(restart: policy));

        var delays = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            var process = await _launcher.NextLaunchAsync();
            var delay = await ExitAndGetRespawnDelayAsync(process);
            delays.Add(delay);
            Clock.Advance(delay);
        }

        delays.Should().Equal(
            TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task Backoff_ResetsAfterTheWorkerWasReadyForTheStablePeriod()
    {
        var parent = StartWorker();
        var first = await _launcher.NextLaunchAsync();
        Clock.Advance(await ExitAndGetRespawnDelayAsync(first));
        var second = await _launcher.NextLaunchAsync();
        await ConnectAndReadyAsync(parent, second);
        Clock.Advance(TimeSpan.FromSeconds(4));
        second.Exit(1);
        var unstable = (await _events.FishForMessageAsync<WorkerRespawnScheduled>(_ => true)).Delay;
        Clock.Advance(unstable);
        var third = await _launcher.NextLaunchAsync();
        var worker = await ConnectAndReadyAsync(parent, third);

        for (var beat = 0; beat < 7; beat++)
        {
            Clock.Advance(TimeSpan.FromSeconds(4.5));
            worker.Tell(new WorkerReport(third.Request.Incarnation, new Heartbeat(Stats(third.Pid))));
            await _router.FishForMessageAsync<BackendUpdated>(_ => true);
        }

        var afterStable = await ExitAndGetRespawnDelayAsync(third);

        unstable.Should().Be(TimeSpan.FromMilliseconds(200), "the second failure in a row doubles the delay");
        afterStable.Should().Be(TimeSpan.FromMilliseconds(100), "31.5 s Ready resets the backoff");
    }

    [Fact]
    public async Task CrashLoop_BeyondTheBudget_GivesTheWorkerUpAndTellsTheSupervisor()
    {
        var policy = new RestartPolicy(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), MaxRestarts: 2, TimeSpan.FromMinutes(1));
        StartWorker(Settings(restart: policy));

        for (var restart = 0; restart < 2; restart++)
        {
            Clock.Advance(await ExitAndGetRespawnDelayAsync(await _launcher.NextLaunchAsync()));
        }

        var last = await _launcher.NextLaunchAsync();
        last.ErrorOutput.Add("Unhandled exception: config missing");
        last.Exit(13);

        var gaveUp = _events.FishForMessage<WorkerGaveUp>(_ => true);
        gaveUp.Index.Should().Be(0);
        gaveUp.LastExit.ExitCode.Should().Be(13);
        gaveUp.Pid.Should().Be(last.Pid);
        gaveUp.MaxRestarts.Should().Be(2);
        gaveUp.RecentErrorOutput.Should().Equal("Unhandled exception: config missing");
        _parent.ExpectMsg<WorkerGaveUpNotice>(n => n.Index == 0);
        Clock.Advance(TimeSpan.FromMinutes(5));
        _launcher.HasPendingLaunch.Should().BeFalse();
    }

    [Fact]
    public async Task CrashLoop_RestartsSpreadBeyondTheWindow_DoNotGiveUp()
    {
        var policy = new RestartPolicy(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), MaxRestarts: 2, TimeSpan.FromMinutes(1));
        StartWorker(Settings(restart: policy));

        for (var restart = 0; restart < 4; restart++)
        {
            var delay = await ExitAndGetRespawnDelayAsync(await _launcher.NextLaunchAsync());
            Clock.Advance(TimeSpan.FromSeconds(40));
            delay.Should().BeGreaterThan(TimeSpan.Zero);
        }

        (await _launcher.NextLaunchAsync()).Request.Incarnation.Should().Be(5);
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
        await _events.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        _launcher.HasPendingLaunch.Should().BeFalse();
    }

    private static WorkerStats Stats(int pid) => new(pid, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1);
}
