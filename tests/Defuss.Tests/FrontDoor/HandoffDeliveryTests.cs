using Defuss.FrontDoor;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.FrontDoor;

/// <summary>How the front door keeps its channels to a worker played by the test, when they fail or stop taking connections.</summary>
public sealed class HandoffDeliveryTests : IDisposable
{
    private readonly ShortTempDirectory _directory = new();
    private readonly ListLoggerProvider _logs = new();
    private readonly FakeHandoffWorker _worker;
    private readonly HandoffDelivery _delivery;
    private readonly List<UnixSocketPair> _clients = [];
    private readonly List<FrontDoorConnection> _connections = [];
    private long _lastId;

    public HandoffDeliveryTests()
    {
        _worker = new FakeHandoffWorker(_directory.PathOf("w.sock"));
        _delivery = new HandoffDelivery(_logs.CreateLogger<HandoffDelivery>());
    }

    public void Dispose()
    {
        _delivery.Dispose();
        _worker.Dispose();
        _connections.ForEach(connection => connection.Close());
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _logs.Dispose();
        _directory.Dispose();
    }

    /// <summary>Delivers a new client connection to the worker; the task is the connection's lifetime in the front door.</summary>
    private Task<int> DeliverAsync(CancellationToken cancellationToken = default)
    {
        var client = TestDescriptors.SocketPair();
        _clients.Add(client);
        var connection = new FrontDoorConnection(++_lastId, client.TakeFirst(), remoteEndPoint: null);
        _connections.Add(connection);
        return _delivery.DeliverAsync(connection, ReadOnlyMemory<byte>.Empty, _worker.Candidate(), cancellationToken);
    }

    [Fact]
    public async Task DeliverAsync_TheWorkerClosedTheChannel_SettlesItsConnections_AndTheNextOpensANewChannel()
    {
        var first = DeliverAsync();
        var broken = _worker.Accept();
        FakeHandoffWorker.Read(broken).Id.Should().Be(1);

        // What a worker does when its channel fails (out of descriptors, say): it closes its end.
        broken.Dispose();

        (await first.WaitAsync(TestTimeouts.Default)).Should().Be(-1, "the connection's lease is released with the channel");
        await Eventually.TrueAsync(() => _delivery.OpenChannels == 0, "the ended channel is forgotten");
        var second = DeliverAsync();
        var fresh = _worker.Accept();
        FakeHandoffWorker.Read(fresh).Id.Should().Be(2, "the next connection goes over a new channel");
        second.IsCompleted.Should().BeFalse();
        fresh.Send(HandoffFrameKind.Closed, 2, [], -1).Should().Be(ChannelSendResult.Sent);
        (await second.WaitAsync(TestTimeouts.Default)).Should().Be(-1);
        _delivery.OpenChannels.Should().Be(1);
    }

    [Fact]
    public async Task DeliverAsync_ChannelRefusesWhileStillOpen_IsRetiredForReports_AndTheNextConnectionOpensANewOne()
    {
        var first = DeliverAsync();
        var stopping = _worker.Accept();
        FakeHandoffWorker.Read(stopping).Id.Should().Be(1);
        stopping.Shutdown(LinuxSockets.ShutRead);

        var refused = async () => await DeliverAsync().WaitAsync(TestTimeouts.Default);

        (await refused.Should().ThrowAsync<BackendConnectException>()).Which.Reason.Should().Contain("closed");
        _delivery.OpenChannels.Should().Be(0);
        _delivery.RetiredChannels.Should().Be(1);
        var third = DeliverAsync();
        var fresh = _worker.Accept();
        FakeHandoffWorker.Read(fresh).Id.Should().Be(3);

        // The retired channel still carries the report of the connection it had.
        stopping.Send(HandoffFrameKind.Closed, 1, [], -1).Should().Be(ChannelSendResult.Sent);
        (await first.WaitAsync(TestTimeouts.Default)).Should().Be(-1);
        third.IsCompleted.Should().BeFalse();
        _logs.Entries.Should().Contain(e => e.EventId.Id == 3041);
    }

    [Fact]
    public async Task DeliverAsync_RetiringASecondChannel_ClosesTheOlderRetiredOne()
    {
        var first = DeliverAsync();
        var oldest = _worker.Accept();
        FakeHandoffWorker.Read(oldest);
        oldest.Shutdown(LinuxSockets.ShutRead);
        await FluentActions.Awaiting(() => DeliverAsync().WaitAsync(TestTimeouts.Default)).Should().ThrowAsync<BackendConnectException>();
        var third = DeliverAsync();
        var next = _worker.Accept();
        FakeHandoffWorker.Read(next);
        next.Shutdown(LinuxSockets.ShutRead);

        await FluentActions.Awaiting(() => DeliverAsync().WaitAsync(TestTimeouts.Default)).Should().ThrowAsync<BackendConnectException>();

        (await first.WaitAsync(TestTimeouts.Default)).Should().Be(-1, "the oldest retired channel was closed, settling what it carried");
        FakeHandoffWorker.Read(oldest).Kind.Should().Be((HandoffFrameKind)255);
        third.IsCompleted.Should().BeFalse("the newer retired channel still waits for its reports");
        await Eventually.TrueAsync(() => _delivery.RetiredChannels == 1, "one retired channel is kept per worker");
    }

    [Fact]
    public async Task DeliverAsync_WorkerGone_FailsWithoutReachingIt()
    {
        _worker.Dispose();
        File.Delete(_worker.Path);

        var delivery = async () => await DeliverAsync().WaitAsync(TestTimeouts.Default);

        await delivery.Should().ThrowAsync<BackendConnectException>();
        _delivery.OpenChannels.Should().Be(0);
    }
}
