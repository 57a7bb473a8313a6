namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed partial class TimerSchedulerTests : TestKit
{
    private static readonly TimeSpan OneTick = TimeSpan.FromTicks(1);
    private readonly TestProbe _probe;
    private readonly IActorRef _actor;

    public TimerSchedulerTests()
    {
        _probe = CreateTestProbe();
        var incarnations = new Counter();
        _actor = Sys.ActorOf(Props.Create(() => new TimerActor(_probe, incarnations)));
        _probe.ExpectMsg<Tick>(t => t.Name == "boot armed 1");
    }

    [Fact]
    public async Task StartSingleTimer_DueTimeReached_FiresOnceAndNotATickBefore()
    {
        await StartSingleAsync("k", "single", TimeSpan.FromSeconds(5));

        Clock.Advance(TimeSpan.FromSeconds(5) - OneTick);
        await _probe.FlushAsync(_actor);
        Clock.Advance(OneTick);

        (await _probe.ExpectMsgAsync<Tick>()).Name.Should().Be("single");
        Clock.Advance(TimeSpan.FromHours(1));
        await _probe.FlushAsync(_actor);
    }

    [Fact]
    public async Task StartSingleTimer_InPreStart_Fires()
    {
        Clock.Advance(TimerActor.BootDelay);

        (await _probe.ExpectMsgAsync<Tick>()).Name.Should().Be("boot 1");
    }

    [Fact]
    public async Task StartPeriodicTimer_IntervalsPass_FiresOncePerInterval()
    {
        _probe.Send(_actor, new StartPeriodic("k", "periodic", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        await _probe.ExpectMsgAsync<Ack>();

        Clock.Advance(TimeSpan.FromSeconds(1) - OneTick);
        await _probe.FlushAsync(_actor);
        Clock.Advance(OneTick);
        (await _probe.ExpectMsgAsync<Tick>()).Name.Should().Be("periodic");
        Clock.Advance(TimeSpan.FromSeconds(3));

        var ticks = await _probe.ReceiveAsync<Tick>(3);
        ticks.Should().OnlyContain(t => t.Name == "periodic");
        await _probe.FlushAsync(_actor);
    }

    [Fact]
    public async Task StartPeriodicTimer_WithInitialDelay_FirstFiresAfterTheDelayThenEveryInterval()
    {
        _probe.Send(_actor, new StartPeriodic("k", "periodic", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
        await _probe.ExpectMsgAsync<Ack>();

        Clock.Advance(TimeSpan.FromSeconds(10) - OneTick);
        await _probe.FlushAsync(_actor);
        Clock.Advance(OneTick);
        await _probe.ExpectMsgAsync<Tick>();
        Clock.Advance(TimeSpan.FromSeconds(1) - OneTick);
        await _probe.FlushAsync(_actor);
        Clock.Advance(OneTick);

        await _probe.ExpectMsgAsync<Tick>();
    }

    [Fact]
    public async Task StartSingleTimer_SameKeyAgain_ReplacesTheOldTimer()
    {
        await StartSingleAsync("k", "old", TimeSpan.FromSeconds(3));
        await StartSingleAsync("k", "new", TimeSpan.FromSeconds(5));
        Clock.ActiveTimers.Should().Be(2, "the old timer is disposed; the new one and the boot timer are armed");

        Clock.Advance(TimeSpan.FromSeconds(3));
        await _probe.FlushAsync(_actor);
        Clock.Advance(TimeSpan.FromSeconds(2));

        (await _probe.ExpectMsgAsync<Tick>()).Name.Should().Be("new");
        await _probe.FlushAsync(_actor);
    }

    [Fact]
    public async Task StartSingleTimer_SameKeyAfterTheOldFiredButBeforeItWasHandled_OnlyTheNewMessageArrives()
    {
        await StartSingleAsync("k", "old", TimeSpan.FromSeconds(1));
        var gate = await HoldAsync();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Clock.ActiveTimers.Should().Be(1, "the old timer has fired; only the boot timer is armed");

        gate.SetResult(t => t.StartSingleTimer("k", new Tick("new"), TimeSpan.FromSeconds(1)));
        await _probe.ExpectMsgAsync<Released>();

        await _probe.FlushAsync(_actor);
        Clock.Advance(TimeSpan.FromSeconds(1));
        (await _probe.ExpectMsgAsync<Tick>()).Name.Should().Be("new");
    }

    [Fact]
    public async Task Cancel_BeforeDue_NoMessageArrives()
    {
        await StartSingleAsync("k", "cancelled", TimeSpan.FromSeconds(5));

        _probe.Send(_actor, new CancelTimer("k"));
        await _probe.ExpectMsgAsync<Ack>();
        Clock.Advance(TimeSpan.FromSeconds(10));

        await _probe.FlushAsync(_actor);
        (await IsActiveAsync("k")).Should().BeFalse();
    }

    [Fact]
    public async Task Cancel_AfterTheTimerFiredButBeforeItsMessageWasHandled_DropsTheMessage()
    {
        await StartSingleAsync("k", "cancelled", TimeSpan.FromSeconds(5));
        var gate = await HoldAsync();
        Clock.Advance(TimeSpan.FromSeconds(5));
        Clock.ActiveTimers.Should().Be(1, "the timer has fired; only the boot timer is armed");

        gate.SetResult(t => t.Cancel("k"));
        await _probe.ExpectMsgAsync<Released>();

        await _probe.FlushAsync(_actor);
        (await IsActiveAsync("k")).Should().BeFalse();
    }

    [Fact]
    public async Task CancelAll_TimersArmed_NoneFires()
    {
        await StartSingleAsync("a", "a", TimeSpan.FromSeconds(1));
        await StartSingleAsync("b", "b", TimeSpan.FromSeconds(2));

        _probe.Send(_actor, CancelAllTimers.Instance);
        await _probe.ExpectMsgAsync<Ack>();
        Clock.Advance(TimeSpan.FromMinutes(1));

        await _probe.FlushAsync(_actor);
        Clock.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public async Task IsTimerActive_SingleTimer_TrueUntilItsMessageIsHandled()
    {
        (await IsActiveAsync("k")).Should().BeFalse();
        await StartSingleAsync("k", "single", TimeSpan.FromSeconds(1));
        (await IsActiveAsync("k")).Should().BeTrue();

        Clock.Advance(TimeSpan.FromSeconds(1));
        await _probe.ExpectMsgAsync<Tick>();

        (await IsActiveAsync("k")).Should().BeFalse();
    }

    [Fact]
    public async Task IsTimerActive_PeriodicTimerThatFired_StaysTrue()
    {
        _probe.Send(_actor, new StartPeriodic("k", "periodic", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        await _probe.ExpectMsgAsync<Ack>();

        Clock.Advance(TimeSpan.FromSeconds(1));
        await _probe.ExpectMsgAsync<Tick>();

        (await IsActiveAsync("k")).Should().BeTrue();
    }

    [Fact]
    public async Task Restart_TimerFiredBeforeTheRestart_ItsMessageIsNotDeliveredAfterwards()
    {
        _probe.Send(_actor, new StartPeriodic("p", "periodic", TimerActor.BootDelay, TimerActor.BootDelay));
        await _probe.ExpectMsgAsync<Ack>();
        var gate = await HoldAsync(failAfter: true);
        Clock.Advance(TimerActor.BootDelay);
        Clock.ActiveTimers.Should().Be(1, "both timers have fired; only the periodic one stays armed");

        gate.SetResult(_ => { });

        (await _probe.ExpectMsgAsync<Tick>()).Name.Should().Be("boot armed 2");
        await _probe.FlushAsync(_actor);
        (await IsActiveAsync("p")).Should().BeFalse("a restart cancels the timers of the old instance");
        Clock.Advance(TimerActor.BootDelay);
        (await _probe.ExpectMsgAsync<Tick>()).Name.Should().Be("boot 2");
        await _probe.FlushAsync(_actor);
    }

    [Fact]
    public async Task Stop_ActorWithTimers_NoTimerFiresAfterwards()
    {
        _probe.Send(_actor, new StartPeriodic("p", "periodic", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        await _probe.ExpectMsgAsync<Ack>();
        _probe.Watch(_actor);

        Sys.Stop(_actor);
        _probe.ExpectTerminated(_actor);
        var deadLetters = Sys.DeadLetterCount;
        Clock.Advance(TimeSpan.FromMinutes(1));

        Clock.ActiveTimers.Should().Be(0);
        Sys.DeadLetterCount.Should().Be(deadLetters);
    }

    private async Task StartSingleAsync(string key, string name, TimeSpan delay)
    {
        _probe.Send(_actor, new StartSingle(key, name, delay));
        await _probe.ExpectMsgAsync<Ack>();
    }

    private async Task<bool> IsActiveAsync(string key)
    {
        _probe.Send(_actor, new IsActive(key));
        return await _probe.ExpectMsgAsync<bool>();
    }

    /// <summary>Blocks the actor in a ReceiveAsync; completing the returned source runs an action on its timers and releases it.</summary>
    private async Task<TaskCompletionSource<Action<ITimerScheduler>>> HoldAsync(bool failAfter = false)
    {
        var gate = new TaskCompletionSource<Action<ITimerScheduler>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _probe.Send(_actor, new Hold(gate.Task, failAfter));
        await _probe.ExpectMsgAsync<Held>();
        return gate;
    }
}
