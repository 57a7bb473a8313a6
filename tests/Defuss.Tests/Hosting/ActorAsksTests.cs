using Akka.Actor;
using Defuss.Hosting;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Hosting;

public sealed class ActorAsksTests : ActorTest
{
    [Fact]
    public async Task AskUnlessGone_TargetAnswers_ReturnsTheAnswer()
    {
        var echo = Sys.ActorOf(Props.Create(() => new EchoActor()));

        (await echo.AskUnlessGoneAsync<string>("ping", TestTimeouts.Default).WaitAsync(TestTimeouts.Default)).Should().Be("ping");
    }

    [Fact]
    public async Task AskUnlessGone_TargetAlreadyStopped_ReturnsNullWithoutWaitingOutTheTimeout()
    {
        var silent = Sys.ActorOf(Props.Create(() => new SilentActor()));
        await silent.GracefulStop(TestTimeouts.Default);

        (await silent.AskUnlessGoneAsync<string>("anyone?", TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default)).Should().BeNull();
    }

    [Fact]
    public async Task AskUnlessGone_TargetStopsWithoutAnswering_ReturnsNull()
    {
        var silent = Sys.ActorOf(Props.Create(() => new SilentActor()));

        var ask = silent.AskUnlessGoneAsync<string>("stop", TestTimeouts.AskNever);

        (await ask.WaitAsync(TestTimeouts.Default)).Should().BeNull();
    }

    [Fact]
    public async Task AskUnlessGone_LiveTargetThatNeverAnswers_TimesOut()
    {
        var silent = Sys.ActorOf(Props.Create(() => new SilentActor()));

        var ask = () => silent.AskUnlessGoneAsync<string>("anyone?", TimeSpan.FromMilliseconds(100)).WaitAsync(TestTimeouts.Default);

        await ask.Should().ThrowAsync<AskTimeoutException>();
    }

    /// <summary>Answers nothing; stops itself when told "stop".</summary>
    private sealed class SilentActor : ReceiveActor
    {
        public SilentActor() => Receive<string>(text =>
        {
            if (text == "stop")
            {
                Context.Stop(Self);
            }
        });
    }
}
