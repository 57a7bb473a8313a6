using System.Net;
using System.Net.Sockets;
using System.Text;
using Defuss.Tests.TestSupport;
using Defuss.Upgrade;

namespace Defuss.Tests.Upgrade;

/// <summary>The private socket of a hand-over: messages, listening sockets passed with them, and a peer that misbehaves.</summary>
public sealed class UpgradeChannelTests : IDisposable
{
    private readonly ShortTempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Send_AnOfferWithListeningSockets_ArrivesWithCopiesThatStillListen()
    {
        var (old, successor) = await PairAsync();
        using var _ = old;
        using var __ = successor;
        using var first = TestSockets.Listening();
        using var second = TestSockets.Listening();

        old.PeerPid.Should().Be(Environment.ProcessId, "the kernel names the process at the other end");
        old.Send(new UpgradeMessage(UpgradeKinds.Offer, 42, ["a", "b"]), [(int)first.Handle, (int)second.Handle]).Should().BeTrue();
        var received = successor.Receive(TestTimeouts.Default, CancellationToken.None)!;

        received.Message.Should().BeEquivalentTo(new UpgradeMessage(UpgradeKinds.Offer, 42, ["a", "b"]));
        received.Descriptors.Should().HaveCount(2);
        using var copy = ListeningSockets.Adopt(received.Descriptors[1], "the second copy");
        using var firstCopy = ListeningSockets.Adopt(received.Descriptors[0], "the first copy");
        ListeningSockets.EndpointOf(firstCopy).Should().Be(first.LocalEndPoint);
        ListeningSockets.EndpointOf(copy).Should().Be(second.LocalEndPoint);
        using var client = await TestSockets.ConnectAsync(copy.LocalEndPoint!);
        using var accepted = await copy.AcceptAsync().WaitAsync(TestTimeouts.Default);
        accepted.RemoteEndPoint.Should().Be(client.LocalEndPoint);
    }

    [Fact]
    public async Task Receive_ThePeerClosed_IsNull()
    {
        var (old, successor) = await PairAsync();
        using var _ = successor;
        old.Dispose();

        (await successor.ReceiveAsync(TestTimeouts.Default, CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Receive_NothingSent_EndsAtItsDeadline_OrOnTheToken()
    {
        var (old, successor) = await PairAsync();
        using var _ = old;
        using var __ = successor;

        var waitOut = () => successor.ReceiveAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        await waitOut.Should().ThrowAsync<TimeoutException>();

        using var cancelled = new CancellationTokenSource();
        var waiting = successor.ReceiveAsync(TestTimeouts.Default, cancelled.Token);
        await cancelled.CancelAsync();
        var cancel = () => waiting;
        await cancel.Should().ThrowAsync<OperationCanceledException>();
    }

    [Theory]
    [InlineData(100, "not valid JSON")]
    [InlineData(UpgradeChannel.MaxMessageBytes + 1000, "longer than 65536 bytes")]
    public async Task Receive_AHostilePacket_IsAFormatExceptionNamingIt(int size, string expected)
    {
        var path = _directory.PathOf("upgrade.sock");
        using var listener = UpgradeChannel.Listen(path);
        var accepting = UpgradeChannel.AcceptAsync(listener, CancellationToken.None);
        using var raw = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        await raw.ConnectAsync(new UnixDomainSocketEndPoint(path));
        using var channel = await accepting.WaitAsync(TestTimeouts.Default);

        raw.Send(Encoding.ASCII.GetBytes(new string('x', size)));
        var receive = () => channel.ReceiveAsync(TestTimeouts.Default, CancellationToken.None);

        (await receive.Should().ThrowAsync<FormatException>()).Which.Message.Should().Contain(expected);
    }

    private async Task<(UpgradeChannel Old, UpgradeChannel Successor)> PairAsync()
    {
        var path = _directory.PathOf("upgrade.sock");
        using var listener = UpgradeChannel.Listen(path);
        var accepting = UpgradeChannel.AcceptAsync(listener, CancellationToken.None);
        var successor = UpgradeChannel.Connect(path);
        return (await accepting.WaitAsync(TestTimeouts.Default), successor);
    }
}
