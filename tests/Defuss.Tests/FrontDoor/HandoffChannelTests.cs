using System.Net.Sockets;
using Defuss.FrontDoor;
using Defuss.Telemetry;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Defuss.Tests.FrontDoor;

/// <summary>The primary's end of a handoff channel, against a worker's end played by the test over a real Unix socket.</summary>
/// <remarks>
/// In the real-process collection: its meters are named <c>Defuss</c>, like the primary's that the OpenTelemetry test
/// exports, and OpenTelemetry listens to every meter of that name in the process.
/// </remarks>
[Collection(Defuss.Tests.Integration.ShowcaseCollection.Name)]
public sealed class HandoffChannelTests : IDisposable
{
    private readonly ShortTempDirectory _directory = new();
    private readonly ListLoggerProvider _logs = new();
    private readonly MetricsRecorder _recorder = new();
    private readonly DefussMetrics _metrics;
    private readonly FakeHandoffWorker _worker;
    private readonly List<UnixSocketPair> _clients = [];
    private readonly FrontDoorLoop _loop = new(NullLogger.Instance);

    public HandoffChannelTests()
    {
        _metrics = new DefussMetrics(_recorder.MeterFactory);
        _worker = new FakeHandoffWorker(_directory.PathOf("w.sock"));
    }

    public void Dispose()
    {
        _worker.Dispose();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _loop.Dispose();
        _metrics.Dispose();
        _recorder.Dispose();
        _logs.Dispose();
        _directory.Dispose();
    }

    private HandoffChannel Connect() =>
        HandoffChannel.Connect(_worker.Path, FakeHandoffWorker.Secret, _loop, _logs.CreateLogger("HandoffChannelTests"), _metrics);

    /// <summary>Sends a client socket as connection <paramref name="id"/>; the primary's copy is closed, as the front door closes it.</summary>
    private Task<int> Send(HandoffChannel channel, long id)
    {
        var client = TestDescriptors.SocketPair();
        _clients.Add(client);
        var (result, outcome) = channel.Send(id, [], client.First);
        client.CloseFirst();
        result.Should().Be(ChannelSendResult.Sent);
        return outcome!;
    }

    private static async Task EndAsync(HandoffChannel channel)
    {
        channel.Close();
        await channel.Ended.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Reconcile_AClosedReportWasLost_SettlesThatConnectionAsEnded()
    {
        var channel = Connect();
        var worker = _worker.Accept();
        var outcomes = new[] { Send(channel, 1), Send(channel, 2), Send(channel, 3) };
        for (var i = 0; i < 3; i++)
        {
            FakeHandoffWorker.Read(worker).Kind.Should().Be(HandoffFrameKind.Connection);
        }

        worker.Send(HandoffFrameKind.Closed, 1, [], -1).Should().Be(ChannelSendResult.Sent);
        // Connection 2 ended too, but its report was dropped: only the list says so.
        FakeHandoffWorker.Reconcile(worker, received: 3, stillOpen: 3);

        (await outcomes[0].WaitAsync(TestTimeouts.Default)).Should().Be(-1);
        (await outcomes[1].WaitAsync(TestTimeouts.Default)).Should().Be(-1, "the reconciliation settles the connection whose report was lost");
        outcomes[2].IsCompleted.Should().BeFalse("the worker still has connection 3");
        channel.OpenConnections.Should().Be(1);
        (await _logs.WaitForAsync(e => e.EventId.Id == 3042)).Message.Should().Contain("no longer has 1 connections");
        _recorder.Total("defuss.handoff.reconciled").Should().Be(1);
        await EndAsync(channel);
    }

    [Fact]
    public async Task Reconcile_ConnectionsSentAfterTheWorkerCounted_AreLeftAlone()
    {
        var channel = Connect();
        var worker = _worker.Accept();
        var first = Send(channel, 10);
        var second = Send(channel, 11);

        // Listed when the worker had read one connection: the second was not its to list yet.
        FakeHandoffWorker.Reconcile(worker, received: 1, stillOpen: 10);
        FakeHandoffWorker.Reconcile(worker, received: 1);
        await first.WaitAsync(TestTimeouts.Default);

        second.IsCompleted.Should().BeFalse("a connection sent after what the worker had counted is not judged by its list");
        FakeHandoffWorker.Reconcile(worker, received: 2);
        (await second.WaitAsync(TestTimeouts.Default)).Should().Be(-1);
        await Eventually.TrueAsync(() => _logs.Entries.Count(e => e.EventId.Id == 3042) == 2, "both reconciliations are logged");
        _recorder.Total("defuss.handoff.reconciled").Should().Be(2);
        await EndAsync(channel);
    }

    [Fact]
    public async Task Reconcile_IdsTheChannelNeverSent_AreIgnored()
    {
        var channel = Connect();
        var worker = _worker.Accept();
        var open = Send(channel, 5);

        FakeHandoffWorker.Reconcile(worker, received: 1, stillOpen: [5, 6, 7, long.MaxValue]);
        worker.Send(HandoffFrameKind.Closed, 99, [], -1).Should().Be(ChannelSendResult.Sent);
        worker.Send(HandoffFrameKind.Closed, 5, [], -1).Should().Be(ChannelSendResult.Sent);

        (await open.WaitAsync(TestTimeouts.Default)).Should().Be(-1);
        _recorder.Total("defuss.handoff.reconciled").Should().Be(0, "connection 5 was listed as open, then reported");
        channel.Ended.IsCompleted.Should().BeFalse();
        await EndAsync(channel);
    }

    [Fact]
    public async Task WorkerParksDescriptorsOnAClosedFrame_TheyAreClosedAtOnce_AndTheChannelEnds()
    {
        var channel = Connect();
        var worker = _worker.Accept();
        var open = Send(channel, 1);
        FakeHandoffWorker.Read(worker).Kind.Should().Be(HandoffFrameKind.Connection);
        using var parked = TestDescriptors.SocketPair();

        worker.Send(HandoffFrameKind.Closed, 1, [], parked.First).Should().Be(ChannelSendResult.Sent);
        parked.CloseFirst();

        await channel.Ended.WaitAsync(TestTimeouts.Default);
        TestDescriptors.SeesEndOfStream(parked.Second, TestTimeouts.Default).Should().BeTrue("the primary kept no copy of the parked descriptor");
        (await open.WaitAsync(TestTimeouts.Default)).Should().Be(-1, "a channel that ends settles what it carried");
        (await _logs.WaitForAsync(e => e.EventId.Id == 3040)).Message.Should().Contain("carry none");
        _recorder.Total("defuss.handoff.channels.broken").Should().Be(1);
        FakeHandoffWorker.Read(worker).Kind.Should().Be((HandoffFrameKind)255, "the worker sees the channel end too");
    }

    [Fact]
    public async Task WorkerSendsAFrameOnlyThePrimarySends_TheChannelEnds()
    {
        var channel = Connect();
        var worker = _worker.Accept();
        var open = Send(channel, 1);

        worker.Send(HandoffFrameKind.Hello, 0, "hi"u8, -1).Should().Be(ChannelSendResult.Sent);

        await channel.Ended.WaitAsync(TestTimeouts.Default);
        (await open.WaitAsync(TestTimeouts.Default)).Should().Be(-1);
        (await _logs.WaitForAsync(e => e.EventId.Id == 3040)).Message.Should().Contain("Hello frame");
    }

    [Fact]
    public async Task WorkerClosesItsEnd_EveryOpenConnectionIsSettled()
    {
        var channel = Connect();
        var worker = _worker.Accept();
        var outcomes = new[] { Send(channel, 1), Send(channel, 2) };

        worker.Dispose();

        await channel.Ended.WaitAsync(TestTimeouts.Default);
        (await Task.WhenAll(outcomes).WaitAsync(TestTimeouts.Default)).Should().Equal(-1, -1);
        channel.OpenConnections.Should().Be(0);
        _recorder.Total("defuss.handoff.channels.broken").Should().Be(0, "a plain end is not a failure");
    }

    [Fact]
    public async Task Connect_WorkerBacklogFull_FailsAtOnceInsteadOfWaitingForRoom()
    {
        using var stuck = new FakeHandoffWorker(_directory.PathOf("stuck.sock"), backlog: 0);
        var waiting = new List<Socket>();
        try
        {
            // Fill the backlog of a worker that never accepts, as one out of descriptors does not.
            while (true)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false };
                waiting.Add(socket);
                try
                {
                    socket.Connect(new UnixDomainSocketEndPoint(stuck.Path));
                }
                catch (SocketException exception) when (exception.SocketErrorCode == SocketError.WouldBlock)
                {
                    break;
                }
            }

            var connect = Task.Factory.StartNew(
                () => HandoffChannel.Connect(stuck.Path, FakeHandoffWorker.Secret, _loop, _logs.CreateLogger("HandoffChannelTests")),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);

            var failed = async () => await connect.WaitAsync(TestTimeouts.Default);
            (await failed.Should().ThrowAsync<BackendConnectException>()).Which.Reason.Should().Contain("backlog is full");
        }
        finally
        {
            waiting.ForEach(socket => socket.Dispose());
        }
    }
}
