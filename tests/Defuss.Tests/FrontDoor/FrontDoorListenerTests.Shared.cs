using System.Net;
using System.Net.Sockets;
using Defuss.FrontDoor;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Interop;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.FrontDoor;

/// <summary>
/// A listening socket the front door shares with another process (the new primary of a hand-over, or systemd): when the
/// front door stops, it closes its own descriptor, and the socket goes on listening for the other holder.
/// </summary>
public sealed partial class FrontDoorListenerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StopAccepting_ASharedListeningSocket_GoesOnListeningForItsOtherHolder(bool handoff)
    {
        var listener = handoff
            ? new FrontDoorListener(Options(), FakeBackendSelector.Always(null), _logs, TimeProvider.System, delivery: null, NewHandoff())
            : new FrontDoorListener(Options(), FakeBackendSelector.Always(null), _logs);
        await using var _ = listener;
        var frontDoor = await listener.StartAsync().WaitAsync(TestTimeouts.Default);

        // The other holder: a copy of the descriptor, as a hand-over's SCM_RIGHTS gives the new primary.
        using var other = Copy(listener.ShareListeningSocket()!);
        (await GetAsync(frontDoor, "/before")).Should().StartWith("HTTP/1.1 503", "the front door accepts while it runs");

        await listener.StopAcceptingAsync().WaitAsync(TestTimeouts.Default);

        using var client = await TestSockets.ConnectAsync(frontDoor);
        using var accepted = await other.AcceptAsync().WaitAsync(TestTimeouts.Default);
        accepted.RemoteEndPoint.Should().Be(client.LocalEndPoint, "the socket still listens, and its other holder takes the connection");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StartAsync_AnAdoptedListeningSocket_IsServed_AndStillListensForItsOtherHolderAfterTheStop(bool handoff)
    {
        using var original = TestSockets.Listening();
        var listener = handoff
            ? new FrontDoorListener(Options(), FakeBackendSelector.Always(null), _logs, TimeProvider.System, delivery: null, NewHandoff())
            : new FrontDoorListener(Options(), FakeBackendSelector.Always(null), _logs);
        await using var _ = listener;

        var frontDoor = await listener.StartAsync(Copy(original)).WaitAsync(TestTimeouts.Default);

        frontDoor.Should().Be(original.LocalEndPoint, "the front door listens where the socket it was given is bound");
        (await GetAsync(frontDoor, "/adopted")).Should().StartWith("HTTP/1.1 503");
        await listener.DisposeAsync();
        using var client = await TestSockets.ConnectAsync(frontDoor);
        using var accepted = await original.AcceptAsync().WaitAsync(TestTimeouts.Default);
        accepted.RemoteEndPoint.Should().Be(client.LocalEndPoint);
    }

    [Fact]
    public async Task StopAccepting_ASocketItBoundAndNeverShared_IsClosed()
    {
        var (listener, frontDoor) = await StartAsync(FakeBackendSelector.Always(null));
        await using var _ = listener;

        await listener.StopAcceptingAsync().WaitAsync(TestTimeouts.Default);

        var connect = () => TestSockets.ConnectAsync(frontDoor);
        (await connect.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);
    }

    private HandoffDelivery NewHandoff()
    {
        var handoff = new HandoffDelivery(_logs.CreateLogger<HandoffDelivery>(), metrics: null);
        _handoffs.Add(handoff);
        return handoff;
    }

    /// <summary>A second descriptor for the same socket (close-on-exec), as another process would hold it.</summary>
    private static Socket Copy(Socket socket)
    {
        var copy = LinuxSockets.Fcntl((int)socket.Handle, LinuxSockets.FDupFdCloexec, 0);
        copy.Should().BeGreaterThan(0);
        return new Socket(new SafeSocketHandle(copy, ownsHandle: true));
    }
}
