namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed partial class ActorCellTests : TestKit
{
    [Fact]
    public async Task Post_ConcurrentSendersAndYieldingHandler_HandlesOneMessageAtATime()
    {
        const int Senders = 8;
        const int PerSender = 250;
        var counter = Sys.ActorOf(Props.Create<YieldingCounter>());
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var senders = Enumerable.Range(0, Senders)
            .Select(_ => Task.Run(async () =>
            {
                await go.Task;
                for (var i = 0; i < PerSender; i++)
                {
                    counter.Tell(YieldingCounter.Increment.Instance);
                }
            }))
            .ToArray();
        go.SetResult();
        await Task.WhenAll(senders).WaitAsync(TestTimeouts.Default);

        var result = await counter.Ask<YieldingCounter.Result>(YieldingCounter.Get.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        result.Should().Be(new YieldingCounter.Result(Senders * PerSender, Overlaps: 0));
    }

    [Fact]
    public async Task Post_ManyMessagesFromOneSender_ArriveInOrder()
    {
        var probe = CreateTestProbe();
        var echo = Sys.ActorOf(Props.Create<EchoActor>());

        for (var i = 0; i < 1000; i++)
        {
            probe.Send(echo, i);
        }

        for (var i = 0; i < 1000; i++)
        {
            (await probe.ExpectMsgAsync<int>()).Should().Be(i);
        }
    }

    [Fact]
    public async Task Post_TwoConcurrentSenders_EachSendersMessagesArriveInOrder()
    {
        const int PerSender = 500;
        var recorder = Sys.ActorOf(Props.Create<SequenceRecorder>());
        var senders = Enumerable.Range(0, 2)
            .Select(sender => Task.Run(() =>
            {
                for (var i = 0; i < PerSender; i++)
                {
                    recorder.Tell(new SequenceRecorder.Numbered(sender, i));
                }
            }))
            .ToArray();
        await Task.WhenAll(senders).WaitAsync(TestTimeouts.Default);

        var seen = await recorder.Ask<int[][]>(SequenceRecorder.Get.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        seen[0].Should().Equal(Enumerable.Range(0, PerSender));
        seen[1].Should().Equal(Enumerable.Range(0, PerSender));
    }

    [Fact]
    public async Task Tell_InsideHandler_ImplicitSenderIsSelf()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new ImplicitSender(probe)));
        await probe.ExpectMsgAsync<string>(s => s == "started");

        actor.Tell("sync");

        (await probe.ExpectMsgAsync<string>()).Should().Be("sync");
        probe.LastSender.Should().BeSameAs(actor);
    }

    [Fact]
    public async Task Tell_AfterAwaitInReceiveAsync_ImplicitSenderIsSelf()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new ImplicitSender(probe)));
        await probe.ExpectMsgAsync<string>(s => s == "started");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        actor.Tell(new AwaitGate(gate.Task));
        (await probe.ExpectMsgAsync<string>()).Should().Be("before-await");
        gate.SetResult();

        (await probe.ExpectMsgAsync<string>()).Should().Be("after-await");
        probe.LastSender.Should().BeSameAs(actor);
    }

    [Fact]
    public async Task Tell_InPreStart_ImplicitSenderIsSelf()
    {
        var probe = CreateTestProbe();

        var actor = Sys.ActorOf(Props.Create(() => new ImplicitSender(probe)));

        (await probe.ExpectMsgAsync<string>()).Should().Be("started");
        probe.LastSender.Should().BeSameAs(actor);
    }

    [Fact]
    public async Task Tell_OutsideAnyActor_SenderIsNobody()
    {
        var probe = CreateTestProbe();

        probe.Tell("from the test");

        (await probe.ExpectMsgAsync<string>()).Should().Be("from the test");
        probe.LastSender.Should().BeSameAs(ActorRefs.Nobody);
    }

    [Fact]
    public async Task PoisonPill_AfterQueuedMessages_StopsAfterHandlingThem()
    {
        var probe = CreateTestProbe();
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        probe.Watch(echo);

        probe.Send(echo, 1);
        probe.Send(echo, 2);
        probe.Send(echo, PoisonPill.Instance);
        probe.Send(echo, 3);

        (await probe.ExpectMsgAsync<int>()).Should().Be(1);
        (await probe.ExpectMsgAsync<int>()).Should().Be(2);
        probe.ExpectTerminated(echo);
    }

    [Fact]
    public void Tell_ToStoppedActor_CountsADeadLetter()
    {
        var probe = CreateTestProbe();
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        probe.Watch(echo);
        Sys.Stop(echo);
        probe.ExpectTerminated(echo);
        var before = Sys.DeadLetterCount;

        echo.Tell("too late");

        Sys.DeadLetterCount.Should().Be(before + 1);
    }

    [Fact]
    public async Task Stop_WhileMessagesAreQueued_StopsAfterCurrentMessageAndDeadLettersTheRest()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(LifecycleActor.Props("a", probe, new Counter()));
        await probe.ExpectHookAsync("a", Hook.PreStart, 1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        probe.Send(actor, new AwaitGate(gate.Task));
        await probe.ExpectMsgAsync<GateEntered>();
        probe.Send(actor, new Add(1));
        probe.Send(actor, new Add(2));
        probe.Watch(actor);

        Sys.Stop(actor);
        gate.SetResult();

        await probe.ExpectMsgAsync<GateLeft>();
        await probe.ExpectHookAsync("a", Hook.PostStop, 1);
        probe.ExpectTerminated(actor);
        Sys.DeadLetterCount.Should().Be(2);
    }

    [Fact]
    public async Task ContextStop_Self_StopsAfterTheCurrentMessage()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create<Parent>());
        probe.Watch(actor);

        probe.Send(actor, new Parent.StopSelfThenReply("still handling"));

        (await probe.ExpectMsgAsync<string>()).Should().Be("still handling");
        probe.ExpectTerminated(actor);
    }

    [Fact]
    public async Task ContextStop_ActorThatIsNotAChild_Throws()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create<Parent>());
        var stranger = Sys.ActorOf(Props.Create<EchoActor>());

        probe.Send(actor, new Parent.StopOther(stranger));

        (await probe.ExpectMsgAsync<string>()).Should().Contain("can stop itself and its children");
        await probe.FlushAsync(stranger);
    }

    [Fact]
    public async Task Stop_Parent_StopsEveryDescendantBeforeTheParent()
    {
        const int Depth = 3;
        const int Width = 2;
        var probe = CreateTestProbe();
        var root = Sys.ActorOf(TreeActor.Props("root", probe, Depth, Width), "root");
        await probe.ReceiveAsync<LifecycleEvent>(TreeActor.Count(Depth, Width));

        Sys.Stop(root);

        var stops = await probe.ReceiveAsync<LifecycleEvent>(TreeActor.Count(Depth, Width));
        stops.Should().OnlyContain(e => e.Hook == Hook.PostStop);
        var order = stops.Select(e => e.Actor).ToList();
        order.Should().OnlyHaveUniqueItems();
        order[^1].Should().Be("root");
        foreach (var name in order.Where(n => n != "root"))
        {
            order.IndexOf(name).Should().BeLessThan(order.IndexOf(TreeActor.ParentName(name)!), $"{name} stops before its parent");
        }
    }

    [Fact]
    public async Task ActorOf_InHandler_StartsNamedAndGeneratedChildren()
    {
        var parent = Sys.ActorOf(Props.Create<Parent>(), "parent");

        var named = await parent.Ask<IActorRef>(new Parent.Create("kid"), TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        var generated = await parent.Ask<IActorRef>(new Parent.Create(null), TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        var children = await parent.Ask<string[]>(Parent.ListChildren.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        named.Path.ToString().Should().Be("/user/parent/kid");
        generated.Path.Name.Should().StartWith("$");
        children.Should().BeEquivalentTo("/user/parent/kid", generated.Path.ToString());
        (await named.Ask<Pong>(Ping.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default)).Should().BeSameAs(Pong.Instance);
    }

    [Fact]
    public async Task Child_ByName_FindsLiveChildOnly()
    {
        var parent = Sys.ActorOf(Props.Create<Parent>());
        var kid = await parent.Ask<IActorRef>(new Parent.Create("kid"), TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        var found = await parent.Ask<Parent.Found>(new Parent.Find("kid"), TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        var missing = await parent.Ask<Parent.Found>(new Parent.Find("nobody"), TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        found.Child.Should().BeSameAs(kid);
        missing.Child.Should().BeNull();
    }

    [Fact]
    public async Task ContextStop_Child_RemovesItFromChildren()
    {
        var probe = CreateTestProbe();
        var parent = Sys.ActorOf(Props.Create<Parent>());
        var kid = await parent.Ask<IActorRef>(new Parent.Create("kid"), TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        probe.Watch(kid);

        parent.Tell(new Parent.StopChild("kid"));
        probe.ExpectTerminated(kid);

        var children = await parent.Ask<string[]>(Parent.ListChildren.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);
        children.Should().BeEmpty();
    }

    [Fact]
    public async Task ActorOf_DuplicateChildName_ThrowsInvalidActorNameException()
    {
        var parent = Sys.ActorOf(Props.Create<Parent>());
        await parent.Ask<IActorRef>(new Parent.Create("kid"), TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        var second = () => parent.Ask<IActorRef>(new Parent.Create("kid"), TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        await second.Should().ThrowAsync<InvalidActorNameException>().WithMessage("*'kid' already exists under /user/*");
    }

    [Fact]
    public async Task Terminated_OfAChild_ItsNameIsFreeAgainInTheHandler()
    {
        var probe = CreateTestProbe();
        var parent = Sys.ActorOf(Props.Create(() => new Recreator(probe)));

        for (var round = 1; round <= 100; round++)
        {
            parent.Tell(Recreator.KillWorker.Instance);

            (await probe.ExpectMsgAsync<string>()).Should().Be("recreated", "round {0}", round);
        }
    }
}
