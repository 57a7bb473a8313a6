using Akka.Actor;
using Defuss.Actors;
using Defuss.Actors.Workers;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Workers;

/// <summary>A worker actor that keeps faulting ends in a replacement, or in "given up": never in a dead slot.</summary>
public sealed partial class WorkerSupervisorTests
{
    /// <summary>
    /// Makes worker <paramref name="index"/>'s actor fault more often than its supervisor strategy allows (a hello without
    /// its frame throws in its handler), so that the strategy stops it.
    /// </summary>
    private async Task FaultUntilStoppedAsync(int index)
    {
        var worker = await Sys.ActorSelection($"/user/supervisor/worker-{index}").ResolveOne(TestTimeouts.Default);
        var watcher = CreateTestProbe();
        watcher.Watch(worker);
        for (var fault = 0; fault <= WorkerSupervisionStrategy.MaxRestarts; fault++)
        {
            worker.Tell(new WorkerHello(null!, new FakeControlSession()));
        }

        await watcher.ExpectTerminatedAsync(worker);
    }

    [Fact]
    public async Task WorkerActorStoppedForRepeatedFaults_IsReplacedByOneThatStartsANewProcess()
    {
        var supervisor = StartPool(1);
        var first = (await LaunchesAsync(1))[0];
        await ReadyAsync(supervisor, first);

        await FaultUntilStoppedAsync(0);

        (await Logs.WaitForAsync(e => e.EventId.Id == ActorsEventIds.WorkerActorReplaced)).Message.Should().Be(
            $"Actor /user/supervisor/worker-0 kept failing and was stopped (the last fault: NullReferenceException: Object reference not set to an instance of an object.); its process {first.Pid} was killed, and worker 0 starts again under a new actor");
        first.KillCalls.Should().Be(1, "the stopped actor's process does not outlive it");
        var replacement = await Sys.ActorSelection("/user/supervisor/worker-0").ResolveOne(TestTimeouts.Default);
        await replacement.HandledAsync();
        Clock.Advance(RestartPolicy.Default.BackoffMin);

        var second = await _launcher.NextLaunchAsync();
        second.Request.Incarnation.Should().Be(2, "incarnation numbers are never reused");
        await ReadyAsync(supervisor, second);
    }

    [Fact]
    public async Task WorkerActorStoppedForFaultsAgainWithinTheWindow_GivesTheWorkerUpAndTheLastOneStopsThePool()
    {
        var supervisor = StartPool(1);
        await LaunchesAsync(1);
        await FaultUntilStoppedAsync(0);
        await Logs.WaitForAsync(e => e.EventId.Id == ActorsEventIds.WorkerActorReplaced);
        await (await Sys.ActorSelection("/user/supervisor/worker-0").ResolveOne(TestTimeouts.Default)).HandledAsync();
        Clock.Advance(RestartPolicy.Default.BackoffMin);
        var second = await _launcher.NextLaunchAsync();

        await FaultUntilStoppedAsync(0);

        var gaveUp = await _events.FishForMessageAsync<WorkerGaveUp>(_ => true);
        gaveUp.Index.Should().Be(0);
        gaveUp.Pid.Should().Be(second.Pid);
        gaveUp.RecentErrorOutput[0].Should().StartWith("Defuss's worker actor kept failing and was stopped 2 times within 00:01:00; the last fault: NullReferenceException");
        (await _events.FishForMessageAsync<AllWorkersGaveUp>(_ => true)).Workers.Should().Be(1);
        second.KillCalls.Should().Be(1);
        Logs.Entries.Should().ContainSingle(e => e.EventId.Id == ActorsEventIds.WorkerActorGivenUp);

        var requester = CreateTestProbe();
        requester.Send(supervisor, new StopAllWorkers(TimeSpan.FromSeconds(10)));
        await requester.ExpectMsgAsync<AllWorkersStopped>(TestTimeouts.Default);
        Clock.Advance(TimeSpan.FromMinutes(5));
        _launcher.HasPendingLaunch.Should().BeFalse("a given-up worker starts nothing more");
    }

    [Fact]
    public async Task WorkerActorStoppedForFaultsOutsideTheWindow_IsReplacedAgain()
    {
        var supervisor = StartPool(1);
        await LaunchesAsync(1);
        await FaultUntilStoppedAsync(0);
        await Logs.WaitForAsync(e => e.EventId.Id == ActorsEventIds.WorkerActorReplaced);
        await (await Sys.ActorSelection("/user/supervisor/worker-0").ResolveOne(TestTimeouts.Default)).HandledAsync();
        Clock.Advance(RestartPolicy.Default.MaxRestartsWindow + TimeSpan.FromSeconds(1));
        await _launcher.NextLaunchAsync();

        await FaultUntilStoppedAsync(0);

        await Eventually.TrueAsync(() => Logs.Entries.Count(e => e.EventId.Id == ActorsEventIds.WorkerActorReplaced) == 2, "the worker is replaced a second time");
        await (await Sys.ActorSelection("/user/supervisor/worker-0").ResolveOne(TestTimeouts.Default)).HandledAsync();
        Clock.Advance(RestartPolicy.Default.BackoffMin);
        (await _launcher.NextLaunchAsync()).Request.Incarnation.Should().Be(3);
        await _events.FishForMessageAsync<WorkerStarted>(e => e.Incarnation == 3);
        Logs.Entries.Should().NotContain(e => e.EventId.Id == ActorsEventIds.WorkerActorGivenUp);
        await supervisor.HandledAsync();
    }

    [Fact]
    public async Task WorkerActorStoppedForFaults_AfterAFaultInTheSupervisor_IsStillWatchedAndReplaced()
    {
        var failures = CreateTestProbe();
        Sys.EventStream.Subscribe(failures.Ref, typeof(Akka.Event.Error));
        var supervisor = StartPool(1);
        var first = (await LaunchesAsync(1))[0];
        supervisor.Tell(new WorkerHello(null!, new FakeControlSession()));
        await failures.FishForMessageAsync<Akka.Event.Error>(e => e.Cause is NullReferenceException);
        await supervisor.HandledAsync();

        await FaultUntilStoppedAsync(0);

        await Logs.WaitForAsync(e => e.EventId.Id == ActorsEventIds.WorkerActorReplaced);
        first.KillCalls.Should().Be(1);
        await (await Sys.ActorSelection("/user/supervisor/worker-0").ResolveOne(TestTimeouts.Default)).HandledAsync();
        Clock.Advance(RestartPolicy.Default.BackoffMin);
        (await _launcher.NextLaunchAsync()).Request.Incarnation.Should().Be(2);
    }

    [Fact]
    public async Task StopAllWorkers_AWorkerActorGoneDuringTheDrain_StillAnswers()
    {
        var supervisor = StartPool(2);
        var processes = await LaunchesAsync(2);
        var worker1 = await Sys.ActorSelection("/user/supervisor/worker-1").ResolveOne(TestTimeouts.Default);
        var requester = CreateTestProbe();
        requester.Send(supervisor, new StopAllWorkers(TimeSpan.FromSeconds(10)));
        processes[0].Exit(0);

        Sys.Stop(worker1);

        await requester.ExpectMsgAsync<AllWorkersStopped>(TestTimeouts.Default);
        processes[1].KillCalls.Should().Be(1);
        _launcher.HasPendingLaunch.Should().BeFalse();
    }
}
