using System.Net;
using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.FrontDoor;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.FrontDoor;

/// <summary>The front door's one routing question per connection, against a router the test plays.</summary>
public sealed class ActorBackendSelectorTests : ActorTest
{
    private static readonly ParsedRequest Request = ParsedRequest.Unknown(new IPEndPoint(IPAddress.Loopback, 40000), ReadOnlyMemory<byte>.Empty);

    [Fact]
    public async Task ChooseAsync_TheRoutersLease_IsTheAnswer()
    {
        var router = CreateTestProbe();
        using var selector = new ActorBackendSelector(router.Ref, TestTimeouts.Default);

        var choice = selector.ChooseAsync(Request, CancellationToken.None).AsTask();
        await router.ExpectMsgAsync<ChooseBackend>();
        router.Reply(new BackendLease(Routers.Candidate(1)));

        (await choice.WaitAsync(TestTimeouts.Default))!.Id.Should().Be("worker-1");
        await router.ExpectNoMsgAsync(TestTimeouts.NoMessage);
    }

    [Fact]
    public async Task ChooseAsync_AnswerAfterTheTimeout_IsNoBackend_AndItsLeaseIsReleasedAtOnce()
    {
        var router = CreateTestProbe();
        using var selector = new ActorBackendSelector(router.Ref, TimeSpan.FromMilliseconds(50));

        var choice = await selector.ChooseAsync(Request, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default);
        choice.Should().BeNull("the router did not answer within the routing timeout");
        await router.ExpectMsgAsync<ChooseBackend>();
        router.Reply(new BackendLease(Routers.Candidate(0)));

        (await router.ExpectMsgAsync<ReleaseBackend>()).Id.Should().Be("worker-0", "nobody will use the late lease, so it ends now");
    }

    [Fact]
    public async Task ChooseAsync_NoBackendAfterTheTimeout_ReleasesNothing()
    {
        var router = CreateTestProbe();
        using var selector = new ActorBackendSelector(router.Ref, TimeSpan.FromMilliseconds(50));

        (await selector.ChooseAsync(Request, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Default)).Should().BeNull();
        await router.ExpectMsgAsync<ChooseBackend>();
        router.Reply(NoBackend.Instance);

        await router.ExpectNoMsgAsync(TestTimeouts.NoMessage);
    }

    [Fact]
    public async Task ChooseAsync_Cancelled_ThenAnswered_ReleasesTheLease()
    {
        var router = CreateTestProbe();
        using var selector = new ActorBackendSelector(router.Ref, TestTimeouts.Default);
        using var aborted = new CancellationTokenSource();

        var choice = selector.ChooseAsync(Request, aborted.Token).AsTask();
        await router.ExpectMsgAsync<ChooseBackend>();
        await aborted.CancelAsync();
        await choice.Invoking(c => c.WaitAsync(TestTimeouts.Default)).Should().ThrowAsync<OperationCanceledException>();
        router.Reply(new BackendLease(Routers.Candidate(2)));

        (await router.ExpectMsgAsync<ReleaseBackend>()).Id.Should().Be("worker-2");
    }
}
