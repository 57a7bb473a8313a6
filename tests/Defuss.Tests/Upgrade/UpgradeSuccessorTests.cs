using System.Net;
using System.Net.Sockets;
using Defuss.Tests.TestSupport;
using Defuss.Upgrade;

namespace Defuss.Tests.Upgrade;

/// <summary>The new primary's side of a hand-over, against a test that plays the old primary (and, at times, lies).</summary>
public sealed class UpgradeSuccessorTests : IDisposable
{
    private readonly ShortTempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void FromEnvironment_NoHandOver_IsNull()
    {
        UpgradeSuccessor.FromEnvironment(_ => null).Should().BeNull();
    }

    [Fact]
    public void FromEnvironment_NobodyWaitsAtThePath_SaysTheOldPrimaryIsGone()
    {
        var path = _directory.PathOf("upgrade.sock");

        var connect = () => UpgradeSuccessor.FromEnvironment(Variables(path));

        connect.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain($"is not at {path}");
    }

    [Fact]
    public async Task FromEnvironment_AnOffer_GivesTheListeningSockets_MatchesEndpoints_AndReportsAFailureOnce()
    {
        using var listening = TestSockets.Listening();
        var bound = (IPEndPoint)listening.LocalEndPoint!;
        var (old, taking) = await OldPrimaryAsync();
        using var _ = old;

        old.Send(new UpgradeMessage(UpgradeKinds.Offer, 4242, [bound.ToString()]), [(int)listening.Handle]).Should().BeTrue();
        using var successor = (await taking.WaitAsync(TestTimeouts.Default))!;

        successor.PredecessorPid.Should().Be(4242);
        successor.Listeners.Select(ListeningSockets.EndpointOf).Should().Equal(bound);
        successor.Mismatch([new IPEndPoint(IPAddress.Loopback, 0)]).Should().BeNull("port 0 takes the port the socket has");
        successor.Mismatch([bound]).Should().BeNull();
        successor.Mismatch([new IPEndPoint(IPAddress.Loopback, bound.Port + 1)]).Should()
            .Contain("a hand-over keeps the listening sockets").And.Contain(bound.ToString()).And.Contain($"127.0.0.1:{bound.Port + 1}");
        successor.Mismatch([new IPEndPoint(IPAddress.Any, bound.Port)]).Should().Contain("needs a restart of the service");
        successor.Mismatch([]).Should().Contain($"leave out {bound}");

        successor.ReportFailure("no worker was ready");
        successor.ReportFailure("a second reason is not sent");
        var failed = old.Receive(TestTimeouts.Default, CancellationToken.None)!;
        failed.Message.Kind.Should().Be(UpgradeKinds.Failed);
        failed.Message.Reason.Should().Be("no worker was ready");
        failed.Message.Pid.Should().Be(Environment.ProcessId);
        var second = () => old.Receive(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        second.Should().Throw<TimeoutException>("a failure is reported once");
    }

    [Fact]
    public async Task FromEnvironment_AFirstMessageThatIsNoOffer_IsRefusedAndClosesWhatCameWithIt()
    {
        using var listening = TestSockets.Listening();
        var (old, taking) = await OldPrimaryAsync();
        using var _ = old;

        // An offer that names two sockets and brings one.
        old.Send(new UpgradeMessage(UpgradeKinds.Offer, 4242, ["a", "b"]), [(int)listening.Handle]).Should().BeTrue();
        var take = () => taking.WaitAsync(TestTimeouts.Default);

        (await take.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("was not an offer of its listening sockets");
        var port = ((IPEndPoint)listening.LocalEndPoint!).Port;
        listening.Close();
        var refused = () => TestSockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        (await refused.Should().ThrowAsync<SocketException>("the copy the successor received was closed, so nothing listens once the test's own is"))
            .Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
    }

    [Fact]
    public async Task FromEnvironment_AnOfferThatSaysItPassesItsErrorOutputButDoesNot_IsRefusedAndClosesWhatCameWithIt()
    {
        using var listening = TestSockets.Listening();
        var bound = (IPEndPoint)listening.LocalEndPoint!;
        var (old, taking) = await OldPrimaryAsync();
        using var _ = old;

        old.Send(new UpgradeMessage(UpgradeKinds.Offer, 4242, [bound.ToString()], ErrorOutput: true), [(int)listening.Handle]).Should().BeTrue();
        var take = () => taking.WaitAsync(TestTimeouts.Default);

        (await take.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("(offer, 1 descriptors)");
        listening.Close();
        var refused = () => TestSockets.ConnectAsync(bound);
        (await refused.Should().ThrowAsync<SocketException>("the copy the successor received was closed"))
            .Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
    }

    /// <summary>The test as the old primary: listens, and starts the successor's connection (which waits for the offer).</summary>
    private async Task<(UpgradeChannel Old, Task<UpgradeSuccessor?> Taking)> OldPrimaryAsync()
    {
        var path = _directory.PathOf("upgrade.sock");
        using var listener = UpgradeChannel.Listen(path);
        var accepting = UpgradeChannel.AcceptAsync(listener, CancellationToken.None);
        var taking = Task.Run(() => UpgradeSuccessor.FromEnvironment(Variables(path)));
        return (await accepting.WaitAsync(TestTimeouts.Default), taking);
    }

    private static Func<string, string?> Variables(string path) => name => name == SuccessorEnvironment.SocketVariable ? path : null;
}
