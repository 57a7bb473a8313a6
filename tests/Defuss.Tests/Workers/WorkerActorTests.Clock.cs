using Akka.Actor;
using Defuss.Actors.Workers;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Workers;

/// <summary>Durations are measured on a monotonic clock: a step of the wall clock changes none of them.</summary>
public sealed partial class WorkerActorTests
{
    [Fact]
    public async Task CrashLoop_TheWallClockStepsForwardBetweenCrashes_StillGivesTheWorkerUp()
    {
        var policy = new RestartPolicy(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), MaxRestarts: 2, TimeSpan.FromMinutes(1));
        StartWorker(Settings(restart: policy));

        for (var restart = 0; restart < 2; restart++)
        {
            Clock.Advance(await ExitAndGetRespawnDelayAsync(await _launcher.NextLaunchAsync()));
            Time.WallClockStep += TimeSpan.FromMinutes(5);
        }

        (await _launcher.NextLaunchAsync()).Exit(13);

        _events.FishForMessage<WorkerGaveUp>(_ => true).MaxRestarts.Should().Be(2, "three crashes within 300 ms of the monotonic clock exhaust the budget, whatever the wall clock says");
    }

    [Fact]
    public async Task CrashLoop_TheWallClockStepsBack_LetsOldRestartsLeaveTheWindow()
    {
        var policy = new RestartPolicy(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), MaxRestarts: 2, TimeSpan.FromMinutes(1));
        StartWorker(Settings(restart: policy));

        for (var restart = 0; restart < 4; restart++)
        {
            await ExitAndGetRespawnDelayAsync(await _launcher.NextLaunchAsync());
            Time.WallClockStep -= TimeSpan.FromHours(1);
            Clock.Advance(TimeSpan.FromSeconds(40));
        }

        (await _launcher.NextLaunchAsync()).Request.Incarnation.Should().Be(5, "restarts 40 s apart never fill a budget of 2 a minute");
    }

    [Fact]
    public async Task Stale_TheWallClockStepsBackDuringTheSilence_ReportsTheSilenceOnTheMonotonicClock()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        await ConnectAndReadyAsync(parent, process);

        Time.WallClockStep = TimeSpan.FromHours(-2);
        Clock.Advance(StaleAfter);

        _events.FishForMessage<WorkerStale>(s => s.Pid == process.Pid).Silence.Should().Be(StaleAfter);
    }

    [Fact]
    public async Task Heartbeat_Candidate_ShowsWhenItArrivedByTheWallClock()
    {
        var parent = StartWorker();
        var process = await _launcher.NextLaunchAsync();
        var worker = await ConnectAndReadyAsync(parent, process);
        Time.WallClockStep = TimeSpan.FromDays(1);

        worker.Tell(new WorkerReport(1, new Heartbeat(Stats(process.Pid))));

        (await _router.FishForMessageAsync<Defuss.Actors.Routing.BackendUpdated>(_ => true)).Backend.LastHeartbeat.Should().Be(Clock.Now + TimeSpan.FromDays(1));
    }
}
