using Akka.Actor;
using Akka.Event;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Workers;

/// <summary>An incarnation that broke the control protocol is replaced; a report that slipped through faults nothing.</summary>
public sealed partial class WorkerActorTests
{
    [Fact]
    public async Task BrokeProtocol_WhileReady_RoutesAroundTerminatesKillsAfterTheGraceAndRespawns()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var session = new FakeControlSession();
        var worker = await ConnectAndReadyAsync(parent, process, session);

        worker.Tell(new WorkerBrokeProtocol(1, "3 malformed reports"));

        await _router.FishForMessageAsync<BackendRemoved>(r => r.Id == "worker-0");
        await worker.HandledAsync();
        session.Closed.Should().BeTrue();
        process.TerminateCalls.Should().Be(1);
        process.KillCalls.Should().Be(0, "the app may finish its requests within the grace");

        Clock.Advance(KillGrace - TimeSpan.FromTicks(1));
        await worker.HandledAsync();
        process.KillCalls.Should().Be(0);
        Clock.Advance(TimeSpan.FromTicks(1));

        _events.FishForMessage<WorkerExited>(e => e.Pid == process.Pid && e.Exit.Signal == "SIGKILL").Expected.Should().BeFalse();
        Clock.Advance(_events.FishForMessage<WorkerRespawnScheduled>(_ => true).Delay);
        (await _launcher.NextLaunchAsync()).Request.Incarnation.Should().Be(2);
    }

    [Fact]
    public async Task Hello_OfAnotherProtocolVersion_IsRefusedNamingBothVersions()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var session = new FakeControlSession();

        var rejected = await parent.Ask<HelloRejected>(
            new WorkerHello(HelloFor(process) with { ProtocolVersion = ControlProtocol.Version + 1 }, session), TestTimeouts.Default);

        rejected.Reason.Should().StartWith($"it speaks Defuss control protocol {ControlProtocol.Version + 1} and this primary speaks {ControlProtocol.Version}")
            .And.Contain("restart the primary");
        _events.FishForMessage<WorkerHelloRejected>(e => e.Pid == process.Pid).Reason.Should().Be(rejected.Reason);

        // The same incarnation, speaking this primary's version, is still welcome.
        (await parent.Ask<HelloAccepted>(new WorkerHello(HelloFor(process), session), TestTimeouts.Default)).Worker.Should().NotBeNull();
    }

    [Fact]
    public void Hello_FromABuildThatSentNoVersion_ReadsAsVersion1()
    {
        var frame = System.Text.Encoding.UTF8.GetBytes("{\"type\":\"hello\",\"index\":0,\"incarnation\":1,\"pid\":42,\"secret\":\"s\"}");

        var hello = System.Text.Json.JsonSerializer.Deserialize(frame, ControlJsonContext.Default.ControlMessage);

        hello.Should().BeOfType<Hello>().Which.ProtocolVersion.Should().Be(1);
    }

    [Fact]
    public async Task BrokeProtocol_WhileStarting_KillsTheProcessAtOnceAndRespawns()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var session = new FakeControlSession();
        var accepted = await parent.Ask<HelloAccepted>(new WorkerHello(HelloFor(process), session), TestTimeouts.Default);

        accepted.Worker.Tell(new WorkerBrokeProtocol(1, "a heartbeat without stats"));

        _events.FishForMessage<WorkerExited>(e => e.Pid == process.Pid && e.Exit.Signal == "SIGKILL");
        session.Closed.Should().BeTrue();
        Clock.Advance(_events.FishForMessage<WorkerRespawnScheduled>(_ => true).Delay);
        (await _launcher.NextLaunchAsync()).Request.Incarnation.Should().Be(2);
    }

    [Fact]
    public async Task BrokeProtocol_OfAnOlderIncarnation_ChangesNothing()
    {
        var parent = StartWorker();
        var first = await _launcher.NextLaunchAsync();
        var worker = await ConnectAndReadyAsync(parent, first);
        Clock.Advance(await ExitAndGetRespawnDelayAsync(first));
        var second = await _launcher.NextLaunchAsync();
        await ConnectAndReadyAsync(parent, second);

        worker.Tell(new WorkerBrokeProtocol(1, "late"));
        await worker.HandledAsync();

        second.KillCalls.Should().Be(0);
        second.TerminateCalls.Should().Be(0);
        await _router.ExpectNoMsgAsync(TestTimeouts.NoMessage);
    }

    [Fact]
    public async Task HeartbeatWithoutStats_WithMaxWorkerMemorySet_FaultsNothingAndIsIgnored()
    {
        var failures = CreateTestProbe();
        Sys.EventStream.Subscribe(failures.Ref, typeof(Error));
        var parent = StartWorker(Settings() with { MaxWorkerMemory = 64L * 1024 * 1024 });
        var process = await _launcher.NextLaunchAsync();
        var worker = await ConnectAndReadyAsync(parent, process);

        worker.Tell(new WorkerReport(1, new Heartbeat(null!)));
        worker.Tell(new WorkerReport(1, new Heartbeat(Stats(process.Pid))));

        (await _router.ExpectMsgAsync<BackendUpdated>()).Backend.Stats.Should().Be(Stats(process.Pid), "only the well-formed heartbeat counts");
        await failures.ExpectNoMsgAsync(TestTimeouts.NoMessage);
    }
}
