namespace Defuss.Tests.TestKitTests;

using Defuss.Actors;
using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed class TestKitTests
{
    [Fact]
    public async Task Dispose_RunningSystem_TerminatesItAfterEveryPostStop()
    {
        var kit = new TestKit("disposed");
        var postStopRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = kit.Sys.ActorOf(Props.Create(() => new StopNotifier(postStopRan)));
        await actor.Ask<Pong>(Ping.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        kit.Dispose();

        postStopRan.Task.IsCompleted.Should().BeTrue();
        kit.Sys.WhenTerminated.IsCompletedSuccessfully.Should().BeTrue();
        var act = () => kit.Sys.ActorOf(Props.Create<EchoActor>());
        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Dispose_CalledTwice_IsHarmless()
    {
        var kit = new TestKit();

        kit.Dispose();
        var again = () => kit.Dispose();

        again.Should().NotThrow();
        kit.Sys.WhenTerminated.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public void Constructor_Always_RunsTheSystemOnTheManualClock()
    {
        using var kit = new TestKit("clocked");

        kit.Sys.Name.Should().Be("clocked");
        kit.Sys.TimeProvider.Should().BeSameAs(kit.Clock);
        kit.CreateTestProbe("p").Path.ToString().Should().Be("/system/p");
        TestKit.DefaultTimeout.Should().Be(TimeSpan.FromSeconds(10));
    }

    private sealed class StopNotifier : ReceiveActor
    {
        private readonly TaskCompletionSource _postStopRan;

        public StopNotifier(TaskCompletionSource postStopRan)
        {
            _postStopRan = postStopRan;
            Receive<Ping>(_ => Sender.Tell(Pong.Instance));
        }

        protected override void PostStop() => _postStopRan.SetResult();
    }
}
