using System.Net.Sockets;
using Defuss.Actors.Routing;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A worker's handoff socket played by the test: a real Unix listener whose channels the test reads and writes frame by
/// frame (<see cref="DescriptorChannel"/>), to report, reconcile, misbehave or close as a worker might.
/// </summary>
internal sealed class FakeHandoffWorker : IDisposable
{
    public static readonly byte[] Secret = "fake-worker-secret"u8.ToArray();

    private readonly Socket _listener;
    private readonly List<DescriptorChannel> _channels = [];

    public FakeHandoffWorker(string path, int backlog = 16)
    {
        Path = path;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(backlog);
    }

    public string Path { get; }

    /// <summary>A router's candidate for this worker, with its secret.</summary>
    public BackendCandidate Candidate(int index = 0) => FakeBackendSelector.Candidate(new HandoffEndPoint(Path), index) with { Secret = Secret };

    /// <summary>Accepts the next channel and reads its hello; the channel is closed with this worker unless the test closes it first.</summary>
    public DescriptorChannel Accept()
    {
        if (!_listener.Poll(TestTimeouts.Default, SelectMode.SelectRead))
        {
            throw new TimeoutException("No handoff channel came.");
        }

        using var accepted = _listener.Accept();
        var channel = new DescriptorChannel(LinuxSockets.Fcntl((int)accepted.Handle, LinuxSockets.FDupFdCloexec, 0));
        _channels.Add(channel);
        var (kind, _, _) = Read(channel);
        kind.Should().Be(HandoffFrameKind.Hello);
        return channel;
    }

    /// <summary>Reads the next frame (waiting at most <see cref="TestTimeouts.Default"/>); a descriptor that came with it is closed.</summary>
    public static (HandoffFrameKind Kind, long Id, int Descriptor) Read(DescriptorChannel channel, bool keepDescriptor = false)
    {
        var read = Task.Factory.StartNew(
            () =>
            {
                if (!channel.ReadFrame(out var kind, out var id, out _, out var descriptor))
                {
                    return ((HandoffFrameKind)255, -1L, -1);
                }

                if (descriptor >= 0 && !keepDescriptor)
                {
                    TestDescriptors.Close(descriptor);
                    descriptor = -1;
                }

                return (kind, id, descriptor);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        return read.Wait(TestTimeouts.Default) ? read.Result : throw new TimeoutException("The primary sent nothing.");
    }

    /// <summary>Sends a reconciliation: <paramref name="stillOpen"/> listed, after <paramref name="received"/> connections.</summary>
    public static void Reconcile(DescriptorChannel channel, long received, params long[] stillOpen)
    {
        if (stillOpen.Length > 0)
        {
            var payload = new byte[stillOpen.Length * HandoffFrame.IdSize];
            HandoffFrame.WriteIds(payload, stillOpen);
            channel.Send(HandoffFrameKind.StillOpen, 0, payload, -1).Should().Be(ChannelSendResult.Sent);
        }

        channel.Send(HandoffFrameKind.Reconcile, received, [], -1).Should().Be(ChannelSendResult.Sent);
    }

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        _listener.Dispose();
    }
}
