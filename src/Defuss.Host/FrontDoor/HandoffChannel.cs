using Defuss.Worker.Resilience;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Defuss.Telemetry;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Defuss.Worker.Runtime;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

/// <summary>
/// The primary's end of one worker incarnation's handoff channel: sends it client sockets, and hears (on the front door's
/// loop, as the reports arrive) when each one has ended or is given back, and which are still open. When the channel ends, for
/// whatever reason, every connection it still tracked is settled as ended and the socket is closed: a worker that
/// failed on it, broke the protocol or is gone costs nothing more, and the next connection opens a new channel.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The loop disposes the channel as it ends; Close() ends it.")]
internal sealed partial class HandoffChannel : ILoopWatcher
{
    private readonly DescriptorChannel _channel;
    private readonly int _fd;
    private readonly ConcurrentDictionary<long, OpenConnection> _open = new();
    private readonly Lock _sendGate = new();
    private readonly FrontDoorLoop _loop;
    private ulong _watch;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private readonly DefussMetrics? _metrics;
    private readonly LogThrottle? _breaks;

    /// <summary>How many <see cref="HandoffFrameKind.Connection"/> frames are in the stream, in the order they went.</summary>
    private long _sent;

    private HandoffChannel(int fd, string path, FrontDoorLoop loop, ILogger logger, DefussMetrics? metrics, LogThrottle? breaks)
    {
        _channel = new DescriptorChannel(fd);
        _fd = fd;
        Path = path;
        _loop = loop;
        _logger = logger;
        _metrics = metrics;
        _breaks = breaks;
    }

    /// <summary>The worker's handoff socket.</summary>
    public string Path { get; }

    /// <summary>Completes when the channel has ended and every connection on it has been settled.</summary>
    public Task Ended => _ended.Task;

    /// <summary>How many handed-off connections this channel tracks now.</summary>
    public int OpenConnections => _open.Count;

    private const int EMFile = 24;

    /// <summary>
    /// Connects to the worker's handoff socket, without waiting (a worker that is not accepting refuses at once), and
    /// presents its secret; throws <see cref="BackendConnectException"/>. The worker's reports are read on
    /// <paramref name="loop"/>. <paramref name="breaks"/> throttles the warnings of broken channels, shared by every
    /// channel of one front door.
    /// </summary>
    public static HandoffChannel Connect(string path, ReadOnlySpan<byte> secret, FrontDoorLoop loop, ILogger logger, DefussMetrics? metrics = null, LogThrottle? breaks = null)
    {
        int fd;
        Socket socket;
        try
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false };
        }
        catch (SocketException exception)
        {
            throw new BackendConnectException($"the primary could not open a socket for its handoff channel ({exception.SocketErrorCode})", exception)
            {
                PrimaryShortOfResources = BackendConnectException.IsLocalShortage(exception.SocketErrorCode),
            };
        }

        using (socket)
        {
            try
            {
                // Non-blocking: when the worker's backlog is full (it is out of descriptors, or hung), connect(2) on a Unix
                // socket would wait for room, on the thread that routes connections.
                socket.Connect(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException exception)
            {
                throw new BackendConnectException(exception.SocketErrorCode == SocketError.WouldBlock
                    ? "its handoff socket's backlog is full: the worker is not accepting channels"
                    : exception.SocketErrorCode.ToString(), exception);
            }

            // A descriptor of our own, close-on-exec, outside .NET's socket: only blocking libc calls touch it.
            fd = LinuxSockets.Fcntl((int)socket.Handle, LinuxSockets.FDupFdCloexec, 0);
            if (fd < 0)
            {
                var errno = LinuxSockets.LastError;
                throw new BackendConnectException($"its handoff socket could not be kept (errno {errno})") { PrimaryShortOfResources = errno == EMFile };
            }
        }

        var channel = new HandoffChannel(fd, path, loop, logger, metrics, breaks);
        if (channel._channel.Send(HandoffFrameKind.Hello, 0, secret, -1) != ChannelSendResult.Sent)
        {
            channel._channel.Dispose();
            throw new BackendConnectException("its handoff socket closed before the secret was sent");
        }

        try
        {
            channel._watch = loop.Watch(fd, channel);
        }
        catch (IOException exception)
        {
            channel._channel.Dispose();
            throw new BackendConnectException("the front door could not watch its handoff channel", exception) { PrimaryShortOfResources = true };
        }

        return channel;
    }

    /// <summary>
    /// Sends <paramref name="descriptor"/> as connection <paramref name="id"/>. On <see cref="ChannelSendResult.Sent"/>
    /// the returned task completes with -1 when the connection has ended in the worker, or with a descriptor (now the
    /// caller's) when the worker gave it back unserved; otherwise it is null and nothing reached the worker.
    /// </summary>
    public (ChannelSendResult Result, Task<int>? Outcome) Send(long id, ReadOnlySpan<byte> prefix, int descriptor)
    {
        // Registered first: the worker may report the end before sendmsg has returned here. The front door's continuation
        // (release the lease, forget the connection) is short and never blocks, so it runs on the reports thread: one
        // thread-pool hop less per connection. The sequence number says where in the stream the frame went, which is
        // what a reconciliation from the worker counts in.
        var outcome = new TaskCompletionSource<int>();
        ChannelSendResult result;
        lock (_sendGate)
        {
            var sequence = _sent + 1;
            _open[id] = new OpenConnection(outcome, sequence);
            result = _channel.Send(HandoffFrameKind.Connection, id, prefix, descriptor);
            if (result == ChannelSendResult.Sent)
            {
                _sent = sequence;
            }
            else
            {
                _open.TryRemove(id, out _);
            }
        }

        if (result != ChannelSendResult.Sent)
        {
            return (result, null);
        }

        if (_ended.Task.IsCompleted && _open.TryRemove(id, out _))
        {
            // The channel ended as we sent: the worker will never report on it.
            outcome.TrySetResult(-1);
        }

        return (result, outcome.Task);
    }

    /// <summary>Stops tracking connection <paramref name="id"/> (the front door gave up waiting for it): its outcome is -1.</summary>
    public void Abandon(long id) => Settle(id, -1);

    /// <summary>Ends the channel: the loop sees it end, settles every open connection as ended, and closes the socket.</summary>
    public void Close() => _channel.Shutdown(LinuxSockets.ShutReadWrite);

    /// <summary>A connection the worker has, and where in the stream its frame went (counting from 1).</summary>
    private readonly record struct OpenConnection(TaskCompletionSource<int> Outcome, long Sequence);
}
