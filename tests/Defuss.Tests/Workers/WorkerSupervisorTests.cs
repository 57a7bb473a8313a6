using Akka.Actor;
using Akka.Event;
using Akka.TestKit;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Workers;

public sealed partial class WorkerSupervisorTests : ActorTest
{
    private readonly FakeWorkerProcessLauncher _launcher = new();
    private readonly TestProbe _router;
    private readonly TestProbe _events;

    public WorkerSupervisorTests()
    {
        _router = CreateTestProbe("router");
        _events = CreateTestProbe("events");
    }

    /// <summary>Starts a supervisor of <paramref name="workers"/> and tells it to start them, as the primary does.</summary>
    private IActorRef StartPool(int workers, int maxRestarts = 10)
    {
        var supervisor = Sys.ActorOf(
            WorkerSupervisor.PropsFor(
                new WorkerPoolSettings
                {
                    Workers = workers,
                    EndpointFor = (index, incarnation) => $"unix:/tmp/defuss-test/w{index}-{incarnation}.sock",
                    ControlEndpoint = "/tmp/defuss-test/control.sock",
                    Restart = RestartPolicy.Default with { MaxRestarts = maxRestarts },
                },
                _launcher,
                _router.Ref,
                _events.Ref),
            "supervisor");
        supervisor.Tell(StartWorkers.Instance);
        return supervisor;
    }

    private async Task<List<FakeWorkerProcess>> LaunchesAsync(int count)
    {
        var processes = new List<FakeWorkerProcess>();
        for (var i = 0; i < count; i++)
        {
            processes.Add(await _launcher.NextLaunchAsync());
        }

        return processes.OrderBy(p => p.Request.Index).ToList();
    }

    [Fact]
    public async Task Created_StartsNoWorkerUntilTold()
    {
        var supervisor = Sys.ActorOf(WorkerSupervisor.PropsFor(
            new WorkerPoolSettings { Workers = 2, EndpointFor = (i, n) => $"unix:/tmp/w{i}-{n}.sock", ControlEndpoint = "/tmp/c.sock" },
            _launcher,
            _router.Ref,
            _events.Ref));

        await _events.ExpectNoMsgAsync(TestTimeouts.NoMessage);
        _launcher.HasPendingLaunch.Should().BeFalse("the control channel the workers report to may not listen yet");

        supervisor.Tell(StartWorkers.Instance);
        supervisor.Tell(StartWorkers.Instance);
        (await LaunchesAsync(2)).Select(p => p.Request.Index).Should().Equal(0, 1);
        await _events.FishForMessageAsync<WorkerStarted>(e => e.Index == 1);
        _launcher.HasPendingLaunch.Should().BeFalse("a second StartWorkers starts nothing more");
    }

    [Fact]
    public async Task StartWorkers_StartsOneWorkerActorPerWorker()
    {
        StartPool(3);

        var processes = await LaunchesAsync(3);

        processes.Select(p => p.Request.Index).Should().Equal(0, 1, 2);
    }

    [Fact]
    public async Task WorkerHello_GoesToTheWorkerWithThatIndex()
    {
        var supervisor = StartPool(2);
        var processes = await LaunchesAsync(2);
        var second = processes[1];

        var reply = await supervisor.Ask<HelloAccepted>(
            new WorkerHello(new Hello(1, 1, second.Pid, second.Request.Environment[WorkerEnvironment.Secret]), new FakeControlSession()),
            TimeSpan.FromSeconds(10));

        reply.Worker.Path.ToStringWithoutAddress().Should().Be("/user/supervisor/worker-1");
    }

    [Fact]
    public async Task WorkerHello_ForAnUnknownIndex_IsRejected()
    {
        var supervisor = StartPool(1);
        await LaunchesAsync(1);

        var reply = await supervisor.Ask<HelloRejected>(new WorkerHello(new Hello(5, 1, 1, "x"), new FakeControlSession()), TimeSpan.FromSeconds(10));

        reply.Reason.Should().Contain("index 5");
    }

    [Fact]
    public async Task StopAllWorkers_RepliesOnceEveryProcessHasExited()
    {
        var supervisor = StartPool(2);
        var processes = await LaunchesAsync(2);
        var probe = CreateTestProbe();

        probe.Send(supervisor, new StopAllWorkers(TimeSpan.FromSeconds(10)));
        _events.FishForMessage<WorkerStarted>(e => e.Index == 1);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        processes[0].Exit(0);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        processes[1].Exit(0);

        await probe.ExpectMsgAsync<AllWorkersStopped>();
        processes.Should().OnlyContain(p => p.TerminateCalls == 1);
        Clock.Advance(TimeSpan.FromMinutes(1));
        _launcher.HasPendingLaunch.Should().BeFalse();
    }

    [Fact]
    public async Task StopAllWorkers_ASecondRequestDuringTheDrain_BothRequestersHearOfTheEnd()
    {
        var supervisor = StartPool(2);
        var processes = await LaunchesAsync(2);
        var graceful = CreateTestProbe();
        var atOnce = CreateTestProbe();

        graceful.Send(supervisor, new StopAllWorkers(TimeSpan.FromSeconds(30)));
        processes[0].Exit(0);
        atOnce.Send(supervisor, new StopAllWorkers(TimeSpan.Zero));
        await atOnce.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        processes[1].Exit(137);

        await graceful.ExpectMsgAsync<AllWorkersStopped>();
        await atOnce.ExpectMsgAsync<AllWorkersStopped>();
    }

    [Fact]
    public async Task EveryWorkerGivenUp_IsAnnouncedOnce()
    {
        StartPool(2, maxRestarts: 0);
        var processes = await LaunchesAsync(2);

        processes[0].Exit(1);
        _events.FishForMessage<WorkerGaveUp>(e => e.Index == 0);
        await _events.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        processes[1].Exit(1);

        _events.FishForMessage<WorkerGaveUp>(e => e.Index == 1);
        _events.ExpectMsg<AllWorkersGaveUp>().Workers.Should().Be(2);
    }

    [Fact]
    public async Task RollingRestart_ReplacesOneWorkerAtATimeAndReportsWhenDone()
    {
        var supervisor = StartPool(2);
        var first = await LaunchesAsync(2);
        var sessions = new List<FakeControlSession>();
        foreach (var process in first)
        {
            sessions.Add(await ReadyAsync(supervisor, process));
        }

        var requester = CreateTestProbe();
        requester.Send(supervisor, new RollingRestart(TimeSpan.FromSeconds(10)));

        var replacement0 = await _launcher.NextLaunchAsync();
        replacement0.Request.Index.Should().Be(0);
        await ReadyAsync(supervisor, replacement0);
        sessions[0].Stops.Should().ContainSingle();
        _launcher.HasPendingLaunch.Should().BeFalse("worker 1 waits until worker 0's old process has drained");
        first[0].Exit(0);

        var replacement1 = await _launcher.NextLaunchAsync();
        replacement1.Request.Index.Should().Be(1);
        sessions[1].Stops.Should().BeEmpty();
        await ReadyAsync(supervisor, replacement1);
        first[1].Exit(0);

        (await requester.ExpectMsgAsync<RollingRestartCompleted>()).Replaced.Should().Be(2);
    }

    [Fact]
    public async Task Restart_AfterAFaultInTheSupervisor_KeepsItsWorkersAndTheirProcesses()
    {
        var failures = CreateTestProbe();
        Sys.EventStream.Subscribe(failures.Ref, typeof(Error));
        var supervisor = StartPool(2);
        var processes = await LaunchesAsync(2);
        var sessions = new List<FakeControlSession>();
        foreach (var process in processes)
        {
            sessions.Add(await ReadyAsync(supervisor, process));
        }

        await _router.FishForMessageAsync<BackendUpdated>(u => u.Backend.Pid == processes[1].Pid);
        var workers = await WorkersAsync(2);

        // A hello without its frame: the supervisor's handler throws, and its own supervisor restarts it.
        supervisor.Tell(new WorkerHello(null!, new FakeControlSession()));
        await failures.FishForMessageAsync<Error>(e => e.Cause is NullReferenceException);
        await supervisor.HandledAsync();
        foreach (var worker in workers)
        {
            await worker.HandledAsync();
        }

        (await WorkersAsync(2)).Should().Equal(workers, "the restarted supervisor keeps its worker actors");
        var adopted = new[] { await _router.ExpectMsgAsync<BackendUpdated>(), await _router.ExpectMsgAsync<BackendUpdated>() };
        adopted.Select(u => u.Backend.Pid).Should().BeEquivalentTo(processes.Select(p => p.Pid), "each worker keeps serving with its process");
        adopted.Should().OnlyContain(u => u.Backend.Ready && u.Backend.Healthy);
        processes.Should().OnlyContain(p => p.KillCalls == 0 && p.TerminateCalls == 0 && !p.HasExited);
        _launcher.HasPendingLaunch.Should().BeFalse("no process is started twice");

        var requester = CreateTestProbe();
        requester.Send(supervisor, new StopAllWorkers(TimeSpan.FromSeconds(10)));
        var draining = new[] { await _events.FishForMessageAsync<WorkerDraining>(_ => true), await _events.FishForMessageAsync<WorkerDraining>(_ => true) };
        draining.Select(d => d.Pid).Should().BeEquivalentTo(processes.Select(p => p.Pid));
        sessions.Should().OnlyContain(s => s.Stops.SequenceEqual(new[] { TimeSpan.FromSeconds(10) }), "each worker is asked to drain, once");
        await supervisor.HandledAsync();
        requester.HasMessages.Should().BeFalse("the supervisor still counts both workers as running, and answers once they have exited");
        processes[0].Exit(0);
        processes[1].Exit(0);

        await requester.ExpectMsgAsync<AllWorkersStopped>();
        processes.Should().OnlyContain(p => p.KillCalls == 0);
        _launcher.HasPendingLaunch.Should().BeFalse();
    }

    /// <summary>The refs of worker actors 0..<paramref name="count"/>-1, as the actor system resolves them now.</summary>
    private async Task<List<IActorRef>> WorkersAsync(int count)
    {
        var workers = new List<IActorRef>();
        for (var index = 0; index < count; index++)
        {
            workers.Add(await Sys.ActorSelection($"/user/supervisor/worker-{index}").ResolveOne(TestTimeouts.Default));
        }

        return workers;
    }

    /// <summary>Connects <paramref name="process"/>'s control channel and reports it Ready.</summary>
    private async Task<FakeControlSession> ReadyAsync(IActorRef supervisor, FakeWorkerProcess process)
    {
        var session = new FakeControlSession();
        var hello = new Hello(process.Request.Index, process.Request.Incarnation, process.Pid, process.Request.Environment[WorkerEnvironment.Secret]);
        var accepted = await supervisor.Ask<HelloAccepted>(new WorkerHello(hello, session), TimeSpan.FromSeconds(10));
        accepted.Worker.Tell(new WorkerReport(process.Request.Incarnation, new Ready("unix:/tmp/defuss-test/w.sock")));
        await _events.FishForMessageAsync<WorkerReady>(e => e.Pid == process.Pid);
        return session;
    }
}
