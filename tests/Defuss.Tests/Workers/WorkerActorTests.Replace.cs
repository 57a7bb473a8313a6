using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Workers;

public sealed partial class WorkerActorTests
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Replace_StartsTheNewProcessFirstAndDrainsTheOldOnlyOnceTheNewIsReady()
    {
        var parent = StartWorker();
        var old = await _launcher.NextLaunchAsync();
        var oldSession = new FakeControlSession();
        var worker = await ConnectAndReadyAsync(parent, old, oldSession);

        worker.Tell(new ReplaceWorker(Drain));

        var replacement = await _launcher.NextLaunchAsync();
        replacement.Request.Incarnation.Should().Be(2);
        _events.FishForMessage<WorkerReplacing>(r => r.Pid == old.Pid);
        await _router.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        oldSession.Stops.Should().BeEmpty("the old process serves until its replacement is ready");

        await ConnectAndReadyAsync(parent, replacement);

        oldSession.Stops.Should().Equal(Drain);
        _events.FishForMessage<WorkerDraining>(d => d.Pid == old.Pid).Reason.Should().Be("its replacement is ready");
        old.KillCalls.Should().Be(0);
        old.Exit(0);
        _events.FishForMessage<WorkerExited>(e => e.Pid == old.Pid).Expected.Should().BeTrue();
        _parent.ExpectMsg<WorkerReplaced>(r => r.Index == 0 && r.Replaced);
        Clock.Advance(TimeSpan.FromMinutes(1));
        _launcher.HasPendingLaunch.Should().BeFalse();
    }

    [Fact]
    public async Task Replace_TheOldProcessDoesNotDrainInTime_IsKilled()
    {
        var parent = StartWorker();
        var old = await _launcher.NextLaunchAsync();
        var worker = await ConnectAndReadyAsync(parent, old);
        worker.Tell(new ReplaceWorker(Drain));
        await ConnectAndReadyAsync(parent, await _launcher.NextLaunchAsync());

        Clock.Advance(Drain);

        _parent.ExpectMsg<WorkerReplaced>(r => r.Replaced);
        old.KillCalls.Should().Be(1);
    }

    [Fact]
    public async Task Replace_TheReplacementFailsBeforeReady_TheOldProcessKeepsServing()
    {
        var parent = StartWorker();
        var old = await _launcher.NextLaunchAsync();
        var oldSession = new FakeControlSession();
        var worker = await ConnectAndReadyAsync(parent, old, oldSession);
        worker.Tell(new ReplaceWorker(Drain));
        var replacement = await _launcher.NextLaunchAsync();

        replacement.Exit(1);

        var kept = _router.FishForMessage<BackendUpdated>(u => u.Backend.Pid == old.Pid && u.Backend.Healthy);
        kept.Backend.Secret.ToArray().Should().Equal(SecretOf(old), "the front door must keep sending the old process its own secret");
        _parent.ExpectMsg<WorkerReplaced>(r => !r.Replaced);
        oldSession.Stops.Should().BeEmpty();
        old.KillCalls.Should().Be(0);
        worker.Tell(new WorkerReport(1, new Heartbeat(Stats(old.Pid))));
        _router.FishForMessage<BackendUpdated>(u => u.Backend.Pid == old.Pid);
    }

    [Fact]
    public async Task Heartbeat_AboveMaxWorkerMemory_ReplacesTheWorker()
    {
        var parent = StartWorker(Settings() with { MaxWorkerMemory = 100 * 1024 * 1024 });
        var process = await _launcher.NextLaunchAsync();
        var worker = await ConnectAndReadyAsync(parent, process);

        worker.Tell(new WorkerReport(1, new Heartbeat(Stats(process.Pid) with { WorkingSetBytes = 99 * 1024 * 1024 })));
        _router.ExpectMsg<BackendUpdated>();
        _launcher.HasPendingLaunch.Should().BeFalse();
        worker.Tell(new WorkerReport(1, new Heartbeat(Stats(process.Pid) with { WorkingSetBytes = 101 * 1024 * 1024 })));

        (await _launcher.NextLaunchAsync()).Request.Incarnation.Should().Be(2);
        _events.FishForMessage<WorkerReplacing>(r => r.Reason.Contains("MaxWorkerMemory", StringComparison.Ordinal));
    }
}
