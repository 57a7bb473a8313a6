namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Tests.TestSupport;

public sealed partial class TimerSchedulerTests
{
    private sealed record Tick(string Name);

    private sealed record StartSingle(string Key, string Name, TimeSpan Delay);

    private sealed record StartPeriodic(string Key, string Name, TimeSpan InitialDelay, TimeSpan Interval);

    private sealed record CancelTimer(string Key);

    private sealed record IsActive(string Key);

    private sealed record Hold(Task<Action<ITimerScheduler>> Gate, bool FailAfter);

    private sealed record Held
    {
        public static Held Instance { get; } = new();
    }

    private sealed record Released
    {
        public static Released Instance { get; } = new();
    }

    private sealed record Ack
    {
        public static Ack Instance { get; } = new();
    }

    private sealed record CancelAllTimers
    {
        public static CancelAllTimers Instance { get; } = new();
    }

    /// <summary>
    /// Arms a <c>boot</c> timer in PreStart (and tells the probe), forwards every <see cref="Tick"/> to the probe, and
    /// drives its timers on command.
    /// </summary>
    private sealed class TimerActor : ReceiveActor, IWithTimers
    {
        public static readonly TimeSpan BootDelay = TimeSpan.FromDays(1);

        private readonly IActorRef _probe;
        private readonly int _incarnation;

        public TimerActor(IActorRef probe, Counter incarnations)
        {
            _probe = probe;
            _incarnation = incarnations.Next();
            Receive<StartSingle>(m =>
            {
                Timers.StartSingleTimer(m.Key, new Tick(m.Name), m.Delay);
                Sender.Tell(Ack.Instance);
            });
            Receive<StartPeriodic>(m =>
            {
                Timers.StartPeriodicTimer(m.Key, new Tick(m.Name), m.InitialDelay, m.Interval);
                Sender.Tell(Ack.Instance);
            });
            Receive<CancelTimer>(m =>
            {
                Timers.Cancel(m.Key);
                Sender.Tell(Ack.Instance);
            });
            Receive<CancelAllTimers>(_ =>
            {
                Timers.CancelAll();
                Sender.Tell(Ack.Instance);
            });
            Receive<IsActive>(m => Sender.Tell(Timers.IsTimerActive(m.Key)));
            Receive<Tick>(tick => probe.Tell(tick));
            Receive<Ping>(_ => Sender.Tell(Pong.Instance));
            ReceiveAsync<Hold>(async hold =>
            {
                Sender.Tell(Held.Instance);
                var then = await hold.Gate;
                then(Timers);
                if (hold.FailAfter)
                {
                    throw new TestFailureException("fails after the hold");
                }

                Sender.Tell(Released.Instance);
            });
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart()
        {
            Timers.StartSingleTimer("boot", new Tick("boot " + _incarnation), BootDelay);
            _probe.Tell(new Tick("boot armed " + _incarnation));
        }
    }
}
