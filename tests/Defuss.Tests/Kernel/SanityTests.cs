using Defuss.Actors;
using Defuss.Actors.TestKit;

namespace Defuss.Tests.Kernel;

public sealed class SanityTests : TestKit
{
    private sealed class Echo : ReceiveActor, IWithTimers
    {
        public ITimerScheduler Timers { get; set; } = null!;
        public Echo(IActorRef probe)
        {
            Receive<string>(s => s == "boom", _ => throw new InvalidOperationException("boom"));
            Receive<string>(s => s == "tick", _ => { Timers.StartSingleTimer("k", "ticked", TimeSpan.FromSeconds(5)); Sender.Tell("armed"); });
            Receive<string>(s => s == "ticked", s => probe.Tell(s + "!"));
            Receive<string>(s => Sender.Tell(s + "!"));
            ReceiveAsync<int>(async i => { await Task.Yield(); Sender.Tell(i + 1); });
        }
        protected override void PreStart() => Context.Parent.Tell("started");
    }

    [Fact]
    public async Task Basics()
    {
        var probe = CreateTestProbe();
        var echo = Sys.ActorOf(Props.Create(() => new Echo(probe)), "echo");
        (await echo.Ask<string>("hi", TimeSpan.FromSeconds(5))).Should().Be("hi!");
        (await echo.Ask<int>(41, TimeSpan.FromSeconds(5))).Should().Be(42);
        echo.Tell("boom");
        (await echo.Ask<string>("after", TimeSpan.FromSeconds(5))).Should().Be("after!");
        probe.Send(echo, "tick");
        probe.ExpectMsg<string>(s => s == "armed");
        Clock.Advance(TimeSpan.FromSeconds(5));
        probe.ExpectMsg<string>(s => s == "ticked!");
        probe.Watch(echo);
        Sys.Stop(echo);
        probe.ExpectTerminated(echo);
        var act = async () => await echo.Ask<string>("x", TimeSpan.FromSeconds(30));
        await act.Should().ThrowAsync<AskTargetTerminatedException>();
    }
}
