using Akka.Actor;
using Defuss.Actors;

namespace Defuss.Tests.Actors;

/// <summary>The scheduler of Defuss's own actor system, on real time: what it delivers, and what it must not.</summary>
public sealed class TimerQueueSchedulerTests() : Akka.TestKit.Xunit2.TestKit($"akka.scheduler.implementation = \"{TimerQueueScheduler.ConfigName}\"")
{
    private TimerQueueScheduler Scheduler => (TimerQueueScheduler)Sys.Scheduler;

    [Fact]
    public void ScheduleTellOnce_DeliversTheMessageOnce_AndForgetsIt()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(20), TestActor, "once", ActorRefs.NoSender);

        ExpectMsg("once");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Scheduler.Pending.Should().Be(0);
    }

    [Fact]
    public void ScheduleTellOnce_Cancelled_IsNeverDelivered()
    {
        var cancelled = Sys.Scheduler.ScheduleTellOnceCancelable(TimeSpan.FromMilliseconds(50), TestActor, "cancelled", ActorRefs.NoSender);
        cancelled.Cancel();
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(150), TestActor, "later", ActorRefs.NoSender);

        ExpectMsg("later");
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Scheduler.Pending.Should().Be(0, "a cancelled timer is released at once");
    }

    [Fact]
    public void ScheduleTellRepeatedly_DeliversUntilCancelled()
    {
        var ticking = Sys.Scheduler.ScheduleTellRepeatedlyCancelable(TimeSpan.Zero, TimeSpan.FromMilliseconds(20), TestActor, "tick", ActorRefs.NoSender);

        ExpectMsg("tick");
        ExpectMsg("tick");
        ExpectMsg("tick");
        ticking.Cancel();
        ReceiveWhile(TimeSpan.FromMilliseconds(100), message => message as string);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Scheduler.Pending.Should().Be(0);
    }

    [Fact]
    public void ScheduleOnce_AnActionThatThrows_DoesNotStopTheOthers()
    {
        Sys.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromMilliseconds(10), () => throw new InvalidOperationException("broken action"));
        Sys.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromMilliseconds(30), () => TestActor.Tell("after"));

        ExpectMsg("after");
    }

    [Fact]
    public void Dispose_CancelsWhatIsScheduled_AndIgnoresWhatComesAfter()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(100), TestActor, "pending", ActorRefs.NoSender);
        Scheduler.Pending.Should().Be(1);

        Scheduler.Dispose();
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.Zero, TestActor, "after dispose", ActorRefs.NoSender);

        Scheduler.Pending.Should().Be(0);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void ActorTimers_RunOnIt()
    {
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(TestActor)));

        actor.Tell("arm");

        ExpectMsg("fired");
    }

    private sealed class TimerActor : ReceiveActor, IWithTimers
    {
        public TimerActor(IActorRef probe)
        {
            Receive<string>(s => s == "arm", _ => Timers.StartSingleTimer("key", "fire", TimeSpan.FromMilliseconds(20)));
            Receive<string>(s => s == "fire", _ => probe.Tell("fired"));
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }
}
