namespace Defuss.Tests.TestKitTests;

using Defuss.Actors;
using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed class TestProbeTests : TestKit
{
    private readonly TestProbe _probe;

    public TestProbeTests()
    {
        _probe = CreateTestProbe("probe");
    }

    [Fact]
    public void CreateTestProbe_WithName_LivesUnderSystem()
    {
        _probe.Path.ToString().Should().Be("/system/probe");
        _probe.Ref.Path.Should().Be(_probe.Path);
        _probe.ToString().Should().Be("[/system/probe]");
    }

    [Fact]
    public void ExpectMsg_MessageOfTheType_ReturnsItAndRecordsTheSender()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());

        _probe.Send(echo, "hello");

        _probe.ExpectMsg<string>().Should().Be("hello");
        _probe.LastSender.Should().BeSameAs(echo);
    }

    [Fact]
    public async Task ExpectMsgAsync_MatchingPredicate_ReturnsTheMessage()
    {
        _probe.Tell(42);

        (await _probe.ExpectMsgAsync<int>(i => i > 40)).Should().Be(42);
    }

    [Fact]
    public void ExpectMsg_WrongType_ThrowsTestKitAssertionException()
    {
        _probe.Tell("a string");
        AwaitDelivery();

        var act = () => _probe.ExpectMsg<int>(timeout: TestTimeouts.Short);

        act.Should().Throw<TestKitAssertionException>().WithMessage("*expected a Int32 but got a String: a string");
    }

    [Fact]
    public void ExpectMsg_PredicateFails_ThrowsTestKitAssertionException()
    {
        _probe.Tell(7);
        AwaitDelivery();

        var act = () => _probe.ExpectMsg<int>(i => i > 10, TestTimeouts.Short);

        act.Should().Throw<TestKitAssertionException>().WithMessage("*the Int32 that arrived does not match: 7");
    }

    [Fact]
    public void ExpectMsg_NothingArrives_ThrowsTestKitAssertionExceptionAfterTheTimeout()
    {
        var act = () => _probe.ExpectMsg<string>(timeout: TestTimeouts.Short);

        act.Should().Throw<TestKitAssertionException>().WithMessage("*no message of type String arrived within 00:00:00.1*");
    }

    [Fact]
    public async Task ExpectMsgAsync_NothingArrives_ThrowsTestKitAssertionException()
    {
        var act = () => _probe.ExpectMsgAsync<string>(timeout: TestTimeouts.Short);

        await act.Should().ThrowAsync<TestKitAssertionException>();
    }

    [Fact]
    public void ExpectMsg_MessagesInSequence_ReturnsThemInOrder()
    {
        _probe.Tell(1);
        _probe.Tell("two");

        _probe.ExpectMsg<int>().Should().Be(1);
        _probe.ExpectMsg<string>().Should().Be("two");
    }

    [Fact]
    public void ExpectNoMsg_NothingArrives_Passes()
    {
        var act = () => _probe.ExpectNoMsg(TestTimeouts.Short);

        act.Should().NotThrow();
    }

    [Fact]
    public void ExpectNoMsg_MessageArrives_ThrowsTestKitAssertionException()
    {
        _probe.Tell("surprise");
        AwaitDelivery();

        var act = () => _probe.ExpectNoMsg(TestTimeouts.Short);

        act.Should().Throw<TestKitAssertionException>().WithMessage("*expected no message*but got a String: surprise");
    }

    [Fact]
    public async Task ExpectNoMsgAsync_MessageArrives_ThrowsTestKitAssertionException()
    {
        _probe.Tell(1);
        AwaitDelivery();

        var act = () => _probe.ExpectNoMsgAsync(TestTimeouts.Short);

        await act.Should().ThrowAsync<TestKitAssertionException>();
    }

    [Fact]
    public void FishForMessage_OtherMessagesFirst_SkipsThemAndReturnsTheMatch()
    {
        _probe.Tell("skip me");
        _probe.Tell(1);
        _probe.Tell(2);
        _probe.Tell("after");

        _probe.FishForMessage<int>(i => i == 2).Should().Be(2);
        _probe.ExpectMsg<string>().Should().Be("after");
    }

    [Fact]
    public void FishForMessage_NoMatch_ThrowsTestKitAssertionExceptionListingTheSkipped()
    {
        _probe.Tell("skip me");
        _probe.Tell(1);
        AwaitDelivery();

        var act = () => _probe.FishForMessage<int>(i => i == 2, TestTimeouts.Short);

        act.Should().Throw<TestKitAssertionException>().WithMessage("*no matching Int32*skipped [skip me, 1]*");
    }

    [Fact]
    public void ExpectTerminated_WatchedActorStops_ReturnsItsTerminated()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        _probe.Watch(echo);

        Sys.Stop(echo);

        _probe.ExpectTerminated(echo).ActorRef.Should().BeSameAs(echo);
    }

    [Fact]
    public void ExpectTerminated_AnotherActorStops_ThrowsTestKitAssertionException()
    {
        var stopped = Sys.ActorOf(Props.Create<EchoActor>(), "stopped");
        var alive = Sys.ActorOf(Props.Create<EchoActor>(), "alive");
        _probe.Watch(stopped);
        _probe.Watch(alive);

        Sys.Stop(stopped);

        var act = () => _probe.ExpectTerminated(alive);
        act.Should().Throw<TestKitAssertionException>().WithMessage("*does not match*");
    }

    [Fact]
    public void ExpectTerminated_AfterUnwatch_ThrowsTestKitAssertionException()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        var observer = CreateTestProbe();
        _probe.Watch(echo);
        _probe.Unwatch(echo);
        observer.Watch(echo);

        Sys.Stop(echo);
        observer.ExpectTerminated(echo);

        var act = () => _probe.ExpectTerminated(echo, TestTimeouts.NoMessage);
        act.Should().Throw<TestKitAssertionException>();
    }

    [Fact]
    public void Watch_AProbe_ReceivesItsTerminated()
    {
        var other = CreateTestProbe("other");
        _probe.Watch(other);

        Sys.Stop(other.Ref);

        _probe.ExpectTerminated(other).ActorRef.Path.ToString().Should().Be("/system/other");
    }

    [Fact]
    public void Send_ToAnActor_MakesTheProbeTheSender()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        var other = CreateTestProbe();

        _probe.Send(echo, "to the probe");

        _probe.ExpectMsg<string>().Should().Be("to the probe");
        other.ExpectNoMsg(TestTimeouts.Short);
    }

    [Fact]
    public void Reply_AfterAnExpectation_AnswersTheLastSender()
    {
        var other = CreateTestProbe();
        other.Send(_probe, "question");
        _probe.ExpectMsg<string>().Should().Be("question");

        _probe.Reply("answer");

        other.ExpectMsg<string>().Should().Be("answer");
        other.LastSender.Should().BeSameAs(_probe.Ref);
    }

    [Fact]
    public void Tell_WithAnExplicitSender_RecordsThatSender()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());

        _probe.Tell("hi", echo);

        _probe.ExpectMsg<string>();
        _probe.LastSender.Should().BeSameAs(echo);
    }

    /// <summary>
    /// Waits until the messages told to the probe so far are ready for its expectations: a watch request is a round trip
    /// through the probe's mailbox, behind them. A short negative timeout then measures only what it is meant to.
    /// </summary>
    private void AwaitDelivery() => _probe.Unwatch(Sys.DeadLetters);
}
