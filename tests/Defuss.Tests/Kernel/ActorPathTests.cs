namespace Defuss.Tests.Kernel;

using Defuss.Actors;
using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed class ActorPathTests : TestKit
{
    [Fact]
    public async Task ToString_Child_JoinsTheNamesFromTheRoot()
    {
        var parent = Sys.ActorOf(Props.Create(() => new SupervisorActor(SupervisorStrategy.DefaultStrategy, Props.Create<EchoActor>(), null, null)), "parent");

        var child = await parent.Ask<IActorRef>(GetChild.Instance, TestTimeouts.AskNever).WaitAsync(TestTimeouts.Default);

        parent.Path.ToString().Should().Be("/user/parent");
        child.Path.ToString().Should().Be("/user/parent/child");
        child.Path.Name.Should().Be("child");
        child.Path.Parent.Should().Be(parent.Path);
        child.Path.Parent!.Parent!.ToString().Should().Be("/user");
        child.Path.Parent.Parent.Parent!.ToString().Should().Be("/");
        child.Path.Parent.Parent.Parent.Parent.Should().BeNull();
    }

    [Fact]
    public void Equals_SameText_EqualWithTheSameHash()
    {
        var probe = CreateTestProbe("watcher");

        var path = probe.Path;
        var same = ActorPath.Root.Child("system").Child("watcher");

        path.ToString().Should().Be("/system/watcher");
        same.Should().Be(path);
        same.GetHashCode().Should().Be(path.GetHashCode());
        same.Should().NotBe(ActorPath.Root.Child("user").Child("watcher"));
    }
}
