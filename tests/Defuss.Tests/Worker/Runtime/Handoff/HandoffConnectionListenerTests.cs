using System.Net.Sockets;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Defuss.Worker.Runtime.Handoff;

namespace Defuss.Tests.Worker.Runtime.Handoff;

/// <summary>The worker's handoff listener, bound to a real Unix socket, with the test playing the primary (or an impostor).</summary>
public sealed partial class HandoffConnectionListenerTests : IDisposable
{
    private readonly ListLoggerProvider _logs = new();
    private readonly ShortTempDirectory _directory = new();

    public void Dispose()
    {
        _directory.Dispose();
        _logs.Dispose();
    }

    private HandoffTestWorker StartWorker() => HandoffTestWorker.Start(_directory.PathOf("w.sock"), "worker", _logs);

    /// <summary>A channel to <paramref name="worker"/> as the primary's end holds it: a raw blocking descriptor.</summary>
    private static DescriptorChannel Connect(HandoffTestWorker worker)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(worker.EndPoint.Path));
        return new DescriptorChannel(LinuxSockets.Fcntl((int)socket.Handle, LinuxSockets.FDupFdCloexec, 0));
    }

    /// <summary>Whether the worker closed the channel: the end of the stream arrives (a channel only shut for reading never ends).</summary>
    private static async Task<bool> EndsAsync(DescriptorChannel channel)
    {
        var read = Task.Factory.StartNew(() => channel.ReadFrame(out _, out _, out _, out _), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return !await read.WaitAsync(TestTimeouts.Default);
    }

    /// <summary>The next frame on <paramref name="channel"/>, read off the test's thread; Read is false when the channel ended.</summary>
    private static Task<(bool Read, HandoffFrameKind Kind, long Id, int Descriptor)> ReadFrameAsync(DescriptorChannel channel) =>
        Task.Factory.StartNew(
            () => (channel.ReadFrame(out var kind, out var id, out _, out var descriptor), kind, id, descriptor),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).WaitAsync(TestTimeouts.Default);

    [Fact]
    public async Task Unbinding_ChannelsNotYetAccepted_GiveBackTheConnectionsAlreadySentOnThem()
    {
        // Connected in a burst and unbound at once: the listener cannot have accepted them all (each costs it a thread),
        // so some are still queued on its socket when it unbinds, and theirs must come back like the others'.
        const int Channels = 10;
        await using var worker = HandoffTestWorker.Start(_directory.PathOf("w.sock"), "worker", _logs, serve: false);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var primaries = new List<DescriptorChannel>();
        try
        {
            for (var id = 1; id <= Channels; id++)
            {
                var primary = Connect(worker);
                primaries.Add(primary);
                primary.Send(HandoffFrameKind.Hello, 0, HandoffTestWorker.Secret, -1).Should().Be(ChannelSendResult.Sent);
                primary.Send(HandoffFrameKind.Connection, id, "GET / HTTP/1.1\r\n\r\n"u8, (int)client.Handle).Should().Be(ChannelSendResult.Sent);
            }

            await worker.UnbindAsync();

            for (var i = 0; i < Channels; i++)
            {
                var (read, kind, id, descriptor) = await ReadFrameAsync(primaries[i]);
                if (read && descriptor >= 0)
                {
                    _ = LinuxSockets.Close(descriptor);
                }

                (read, kind, id).Should().Be((true, HandoffFrameKind.Returned, i + 1L), $"the connection sent on channel {i + 1} comes back, not closed with its channel");
                descriptor.Should().BeGreaterThanOrEqualTo(0);
            }
        }
        finally
        {
            primaries.ForEach(primary => primary.Dispose());
        }
    }

    [Fact]
    public async Task WrongSecret_TheChannelIsClosedBothWaysAndForgotten()
    {
        await using var worker = StartWorker();
        using var impostor = Connect(worker);
        await Eventually.TrueAsync(() => worker.OpenChannels == 1, "the worker reads the channel");

        impostor.Send(HandoffFrameKind.Hello, 0, "not-the-secret"u8, -1).Should().Be(ChannelSendResult.Sent);

        (await EndsAsync(impostor)).Should().BeTrue("the worker closed its end, and its reader with it");
        await Eventually.TrueAsync(() => worker.OpenChannels == 0, "the rejected channel is forgotten");
        _logs.Entries.Should().Contain(e => e.EventId.Id == 151 && e.Message.Contains("wrong secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ManyRejectedChannels_NoneIsKept()
    {
        await using var worker = StartWorker();

        for (var i = 0; i < 50; i++)
        {
            using var impostor = Connect(worker);
            impostor.Send(HandoffFrameKind.Hello, 0, "wrong"u8, -1).Should().Be(ChannelSendResult.Sent);
            (await EndsAsync(impostor)).Should().BeTrue();
        }

        await Eventually.TrueAsync(() => worker.OpenChannels == 0, "no rejected channel stays in the listener's list");
        _logs.Entries.Count(e => e.EventId.Id == 151).Should().Be(1, "the rejections are logged at a bounded rate");
    }

    [Fact]
    public async Task ChannelThatBreaksTheProtocol_IsClosedBothWays()
    {
        await using var worker = StartWorker();
        using var primary = Connect(worker);
        primary.Send(HandoffFrameKind.Hello, 0, HandoffTestWorker.Secret, -1).Should().Be(ChannelSendResult.Sent);

        primary.Send(HandoffFrameKind.Closed, 1, [], -1).Should().Be(ChannelSendResult.Sent);

        (await EndsAsync(primary)).Should().BeTrue("the primary must see the end to drop the channel and open a new one");
        await Eventually.TrueAsync(() => worker.OpenChannels == 0, "the broken channel is forgotten");
        _logs.Entries.Should().Contain(e => e.EventId.Id == 152 && e.Message.Contains("a Closed frame from the primary", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ThePrimaryClosesAChannel_TheWorkerForgetsIt_AndTakesANewOne()
    {
        await using var worker = StartWorker();
        using (var first = Connect(worker))
        {
            first.Send(HandoffFrameKind.Hello, 0, HandoffTestWorker.Secret, -1).Should().Be(ChannelSendResult.Sent);
            await Eventually.TrueAsync(() => worker.OpenChannels == 1, "the worker reads the first channel");
        }

        await Eventually.TrueAsync(() => worker.OpenChannels == 0, "a channel the primary closed is forgotten");
        using var second = Connect(worker);
        second.Send(HandoffFrameKind.Hello, 0, HandoffTestWorker.Secret, -1).Should().Be(ChannelSendResult.Sent);
        await Eventually.TrueAsync(() => worker.OpenChannels == 1, "the worker reads the new channel");
    }
}
