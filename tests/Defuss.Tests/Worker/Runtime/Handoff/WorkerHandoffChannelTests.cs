using Defuss.Tests.TestSupport;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Defuss.Worker.Runtime.Handoff;
using Microsoft.Extensions.Logging.Abstractions;

namespace Defuss.Tests.Worker.Runtime.Handoff;

/// <summary>The worker's end of a handoff channel against a primary's end played by the test, over a real socket pair, on a manual clock.</summary>
public sealed class WorkerHandoffChannelTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly ManualTimeProvider _time = new();
    private readonly DescriptorChannel _primary;
    private readonly WorkerHandoffChannel _worker;
    private readonly List<UnixSocketPair> _clients = [];

    public WorkerHandoffChannelTests()
    {
        using var pair = TestDescriptors.SocketPair();
        _primary = new DescriptorChannel(pair.TakeFirst());
        _worker = new WorkerHandoffChannel(pair.TakeSecond(), NullLogger.Instance, _time, Interval);
    }

    public void Dispose()
    {
        _worker.Abort();
        _worker.Dispose();
        _primary.Dispose();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    /// <summary>The primary sends connection <paramref name="id"/> and the worker reads it; returns the worker's descriptor.</summary>
    private int Receive(long id)
    {
        var client = TestDescriptors.SocketPair();
        _clients.Add(client);
        _primary.Send(HandoffFrameKind.Connection, id, [], client.First).Should().Be(ChannelSendResult.Sent);
        _worker.ReadFrame(out var kind, out var readId, out _, out var descriptor).Should().BeTrue();
        (kind, readId).Should().BeEquivalentTo((HandoffFrameKind.Connection, id));
        return descriptor;
    }

    /// <summary>The next frame the worker sent, with its payload's ids (for StillOpen) and its descriptor's identity (closed at once).</summary>
    private (HandoffFrameKind Kind, long Id, long[] Ids, string? Descriptor) Next()
    {
        var read = Task.Factory.StartNew(
            () =>
            {
                if (!_primary.ReadFrame(out var kind, out var id, out var payload, out var descriptor))
                {
                    return ((HandoffFrameKind)255, -1L, Array.Empty<long>(), (string?)null);
                }

                var ids = new long[kind == HandoffFrameKind.StillOpen ? HandoffFrame.IdCount(payload) : 0];
                for (var i = 0; i < ids.Length; i++)
                {
                    ids[i] = HandoffFrame.IdAt(payload, i);
                }

                string? identity = null;
                if (descriptor >= 0)
                {
                    identity = TestDescriptors.Identity(descriptor);
                    TestDescriptors.Close(descriptor);
                }

                return (kind, id, ids, identity);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        return read.Wait(TestTimeouts.Default) ? read.Result : throw new TimeoutException("The worker sent nothing.");
    }

    /// <summary>Fires the reconciliation timer once it is armed.</summary>
    private async Task TickAsync()
    {
        await Eventually.TrueAsync(() => _time.ActiveTimers == 1, "the reconciliation timer is armed");
        _time.Advance(Interval);
    }

    [Fact]
    public async Task Reconcile_IntervalPassed_ListsTheOpenConnectionsThenHowManyItReceived()
    {
        TestDescriptors.Close(Receive(1));
        TestDescriptors.Close(Receive(2));
        TestDescriptors.Close(Receive(3));
        _worker.ReportClosed(2);
        Next().Should().BeEquivalentTo((HandoffFrameKind.Closed, 2L, Array.Empty<long>(), (string?)null));

        await TickAsync();
        var stillOpen = Next();
        var reconcile = Next();

        stillOpen.Kind.Should().Be(HandoffFrameKind.StillOpen);
        stillOpen.Ids.Should().BeEquivalentTo([1L, 3L]);
        reconcile.Should().BeEquivalentTo((HandoffFrameKind.Reconcile, 3L, Array.Empty<long>(), (string?)null), "the primary settles only what the worker had received");
        _worker.OpenConnections.Should().Be(2);
    }

    [Fact]
    public async Task ReportClosed_TwiceOrForAConnectionNeverReceived_ReportsOnlyTheFirstEndOfAnOpenOne()
    {
        TestDescriptors.Close(Receive(7));

        _worker.ReportClosed(7);
        _worker.ReportClosed(7);
        _worker.ReportClosed(99);
        await TickAsync();

        Next().Should().BeEquivalentTo((HandoffFrameKind.Closed, 7L, Array.Empty<long>(), (string?)null));
        Next().Kind.Should().Be(HandoffFrameKind.Reconcile, "no second report, and no list: nothing is open");
        _worker.OpenConnections.Should().Be(0);
    }

    [Fact]
    public async Task Return_GivesTheDescriptorBack_AndTheNextListLeavesItOut()
    {
        var descriptor = Receive(4);
        var identity = TestDescriptors.Identity(descriptor);
        TestDescriptors.Close(Receive(5));

        _worker.Return(4, descriptor);
        var returned = Next();
        await TickAsync();

        returned.Should().BeEquivalentTo((HandoffFrameKind.Returned, 4L, Array.Empty<long>(), identity));
        Next().Ids.Should().Equal(5L);
        Next().Should().BeEquivalentTo((HandoffFrameKind.Reconcile, 2L, Array.Empty<long>(), (string?)null));
    }

    [Fact]
    public void Abort_ThePrimarySeesTheChannelEnd()
    {
        TestDescriptors.Close(Receive(1));

        _worker.Abort();

        Next().Kind.Should().Be((HandoffFrameKind)255, "the primary reads the end of the stream, not a half-closed channel");
        _primary.Send(HandoffFrameKind.Connection, 2, [], -1).Should().Be(ChannelSendResult.Closed);
    }

    [Fact]
    public void ReadFrame_ConnectionWithTheReconcileMarkersId_IsAProtocolError()
    {
        using var client = TestDescriptors.SocketPair();
        _primary.Send(HandoffFrameKind.Connection, long.MinValue, [], client.First).Should().Be(ChannelSendResult.Sent);
        client.CloseFirst();

        var read = () => _worker.ReadFrame(out _, out _, out _, out _);

        read.Should().Throw<FormatException>();
        TestDescriptors.SeesEndOfStream(client.Second, TestTimeouts.Default).Should().BeTrue("its descriptor was closed");
    }
}
