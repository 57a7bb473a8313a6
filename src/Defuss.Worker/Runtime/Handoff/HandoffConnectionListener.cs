using Defuss.Worker.Resilience;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime.Handoff;

/// <summary>
/// Kestrel's listener for a <see cref="HandoffEndPoint"/>: it accepts the primary's handoff channels on a Unix socket
/// and turns each descriptor they carry into a Kestrel connection (with the head bytes the primary had to read
/// replayed first). Channels and descriptors are read on threads of their own with blocking calls.
/// </summary>
/// <remarks>
/// Unbinding stops every channel's receiving side, so the primary's next send fails and it routes elsewhere; the
/// connections already sent but not yet accepted by Kestrel are given back to the primary untouched, so none is lost,
/// including those on channels the primary had connected that were not yet accepted.
/// Any other end of a channel (a failure, a broken protocol, a wrong secret, the primary closing it) closes it in both
/// directions and forgets it, so that the primary sees the end, settles its connections and opens a new one.
/// </remarks>
internal sealed partial class HandoffConnectionListener : IConnectionListener
{
    private readonly HandoffEndPoint _endPoint;
    private readonly byte[] _secret;
    private readonly ILogger _logger;
    private readonly SocketConnectionContextFactory _factory;
    // Kestrel's accept loop continues on the receiving thread (it wraps the socket and queues the connection to the
    // thread pool itself), which saves a thread-pool hop per connection.
    private readonly Channel<PendingConnection> _pending = Channel.CreateUnbounded<PendingConnection>(
        new UnboundedChannelOptions { AllowSynchronousContinuations = true });
    private readonly List<(WorkerHandoffChannel Channel, Thread Reader)> _channels = [];
    private readonly Lock _gate = new();
    private readonly Socket _listenSocket;
    private readonly Epoll _epoll;
    private readonly Thread _acceptThread;
    private readonly ManualResetEventSlim _unbinding = new();
    private readonly DescriptorReserve _reserve;
    private readonly Action? _stopWorker;
    private readonly LogThrottle _acceptFailures;
    private readonly LogThrottle _channelFailures;
    private readonly LogThrottle _nearLimit;
    private volatile bool _unbound;
    private int _disposed;

    private HandoffConnectionListener(
        HandoffEndPoint endPoint, byte[] secret, SocketConnectionFactoryOptions options, ILoggerFactory loggerFactory, Socket listenSocket, Action? stopWorker, TimeProvider timeProvider)
    {
        _endPoint = endPoint;
        _secret = secret;
        _stopWorker = stopWorker;
        _reserve = new DescriptorReserve();
        _acceptFailures = new LogThrottle(timeProvider, LogThrottle.DefaultInterval);
        _channelFailures = new LogThrottle(timeProvider, LogThrottle.DefaultInterval);
        _nearLimit = new LogThrottle(timeProvider, LogThrottle.DefaultInterval);
        _logger = loggerFactory.CreateLogger("Defuss.Worker.Runtime.Handoff");
        _factory = new SocketConnectionContextFactory(options, loggerFactory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        _listenSocket = listenSocket;
        _epoll = new Epoll();
        _acceptThread = new Thread(AcceptChannels) { IsBackground = true, Name = "Defuss handoff accept" };
    }

    public EndPoint EndPoint => _endPoint;

    /// <summary>
    /// Listens on the endpoint's path (the hosting glue has removed a file an earlier, killed incarnation left there).
    /// <paramref name="stopWorker"/> is called if the socket can accept no more channels, so that the primary replaces
    /// a worker it could no longer reach.
    /// </summary>
    public static HandoffConnectionListener Bind(
        HandoffEndPoint endPoint, byte[] secret, SocketConnectionFactoryOptions options, ILoggerFactory loggerFactory, Action? stopWorker = null, TimeProvider? timeProvider = null)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(endPoint.Path));
            socket.Listen(16);
            var listener = new HandoffConnectionListener(endPoint, secret, options, loggerFactory, socket, stopWorker, timeProvider ?? TimeProvider.System);
            listener.Start();
            return listener;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (await _pending.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_pending.Reader.TryRead(out var pending) && Open(pending) is { } connection)
            {
                return connection;
            }
        }

        return null;
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_unbound)
            {
                return ValueTask.CompletedTask;
            }

            _unbound = true;
        }

        // No new channel either: shut for reading, the socket refuses the primary's connect (it routes elsewhere), while
        // the channels it connected before, with the connections already sent on them, are still queued and taken now.
        _unbinding.Set();
        _epoll.Wake();
        _acceptThread.Join();
        _ = LinuxSockets.Shutdown((int)_listenSocket.Handle, LinuxSockets.ShutRead);
        AcceptQueuedChannels();
        _listenSocket.Dispose();
        TryDelete(_endPoint.Path);
        List<WorkerHandoffChannel> channels;
        lock (_gate)
        {
            channels = _channels.Select(c => c.Channel).ToList();
        }

        foreach (var channel in channels)
        {
            channel.StopReceiving();
        }

        _pending.Writer.TryComplete();
        var returned = 0;
        while (_pending.Reader.TryRead(out var pending))
        {
            pending.Channel.Return(pending.Id, pending.Descriptor);
            returned++;
        }

        if (returned > 0)
        {
            WorkerLog.HandoffConnectionsReturned(_logger, returned);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await UnbindAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _epoll.Dispose();
        _unbinding.Dispose();
        List<(WorkerHandoffChannel Channel, Thread Reader)> channels;
        lock (_gate)
        {
            channels = [.. _channels];
        }

        foreach (var (channel, reader) in channels)
        {
            // The readers end once their queued frames are read: receiving was shut down at unbind.
            reader.Join();
            channel.Dispose();
        }

        _factory.Dispose();
    }

    private void Start()
    {
        var fd = (int)_listenSocket.Handle;
        _ = LinuxSockets.Fcntl(fd, LinuxSockets.FSetFl, LinuxSockets.Fcntl(fd, LinuxSockets.FGetFl, 0) | LinuxSockets.ONonBlock);
        var error = _epoll.Add(fd, Epoll.In, 0);
        if (error != 0)
        {
            throw new InvalidOperationException($"Cannot watch the handoff socket {_endPoint.Path}: errno {error}.");
        }

        _acceptThread.Start();
        WorkerLog.HandoffListening(_logger, _endPoint.Path);
    }

    private HandoffConnection? Open(PendingConnection pending)
    {
        var feature = new HandoffConnectionFeature(pending.Channel, pending.Id);
        Socket socket;
        try
        {
            socket = new Socket(new SafeSocketHandle(pending.Descriptor, ownsHandle: true));
            socket.NoDelay = true;
        }
        catch (SocketException)
        {
            // The client reset before we got to it: an ended connection like any other.
            _ = LinuxSockets.Close(pending.Descriptor);
            feature.ReportClosed();
            return null;
        }

        var connection = _factory.Create(socket);
        connection.Features.Set(feature);
        if (pending.Prefix.Length > 0)
        {
            var transport = connection.Transport;
            connection.Transport = new DuplexPipe(new PrefixedPipeReader(pending.Prefix, transport.Input), transport.Output);
        }

        _reserve.Opened();
        return new HandoffConnection(connection, feature, _reserve);
    }

    private static void Close(int descriptor)
    {
        if (descriptor >= 0)
        {
            _ = LinuxSockets.Close(descriptor);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private sealed record PendingConnection(WorkerHandoffChannel Channel, long Id, int Descriptor, byte[] Prefix);

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
