namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed class PropsTests : TestKit
{
    [Fact]
    public async Task Create_Parameterless_BuildsTheActorType()
    {
        var props = Props.Create<EchoActor>();

        var echo = Sys.ActorOf(props);

        props.ActorType.Should().Be<EchoActor>();
        props.ToString().Should().Be("Props(EchoActor)");
        (await echo.Ask<Pong>(Ping.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default)).Should().BeSameAs(Pong.Instance);
    }

    [Fact]
    public async Task Create_Factory_RunsAgainAtEveryRestart()
    {
        var probe = CreateTestProbe();
        var built = new Counter();
        var props = Props.Create(() => new LifecycleActor("a", probe, built));
        var actor = Sys.ActorOf(props);

        actor.Tell(new Boom("rebuild"));
        var total = await actor.Ask<Total>(GetTotal.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        props.ActorType.Should().Be<LifecycleActor>();
        total.Incarnation.Should().Be(2);
        built.Value.Should().Be(2);
    }

    [Fact]
    public async Task Create_WithArguments_PassesThemToTheMatchingConstructor()
    {
        var actor = Sys.ActorOf(Props.Create<WithArguments>("prefix", 42));

        var reply = await actor.Ask<string>("hello", TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        reply.Should().Be("prefix:42:hello");
    }

    [Fact]
    public void Create_WithArgumentsThatMatchNoConstructor_ActorFailsToStartAndIsStopped()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create<WithArguments>(1.5));

        probe.Watch(actor);

        probe.ExpectTerminated(actor);
    }

    [Fact]
    public async Task Create_WithArgumentsAndAThrowingConstructor_TheSupervisorSeesTheConstructorsException()
    {
        var probe = CreateTestProbe();
        var strategy = new OneForOneStrategy(exception =>
        {
            probe.Tell(exception);
            return Directive.Stop;
        });
        Sys.ActorOf(Props.Create(() => new SupervisorActor(strategy, Props.Create<WithArguments>("throw", 0), null, null)));

        var failure = await probe.ExpectMsgAsync<ActorInitializationException>();

        failure.InnerException.Should().BeOfType<TestFailureException>().Which.Message.Should().Be("asked to throw");
        failure.Message.Should().EndWith("failed to start: asked to throw");
    }

    [Fact]
    public void Create_NullFactory_ThrowsArgumentNullException()
    {
        var act = () => Props.Create<EchoActor>((Func<EchoActor>)null!);

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void New_OutsideActorOf_ThrowsInvalidOperationException()
    {
        var act = () => new EchoActor();

        act.Should().Throw<InvalidOperationException>().WithMessage("EchoActor is an actor: create it with ActorOf(Props.Create(...)), not with 'new'.");
    }

    [Fact]
    public async Task New_InsideAHandler_ThrowsInvalidOperationException()
    {
        var actor = Sys.ActorOf(Props.Create<Constructor>());

        var reply = await actor.Ask<string>("build one", TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        reply.Should().Be(nameof(InvalidOperationException));
    }

    private sealed class WithArguments : ReceiveActor
    {
        public WithArguments(string prefix, int number)
        {
            if (prefix == "throw")
            {
                throw new TestFailureException("asked to throw");
            }

            Receive<string>(s => Sender.Tell($"{prefix}:{number}:{s}"));
        }
    }

    private sealed class Constructor : ReceiveActor
    {
        public Constructor()
        {
            Receive<string>(_ =>
            {
                try
                {
                    GC.KeepAlive(new EchoActor());
                    Sender.Tell("built");
                }
                catch (InvalidOperationException exception)
                {
                    Sender.Tell(exception.GetType().Name);
                }
            });
        }
    }
}
