using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Defuss.Worker.Resilience;
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
/// connections already sent but not yet accepted by Kestrel are given back to the primary untouched, so none is lost.
/// </remarks>
internal sealed class HandoffConnectionListener : IConnectionListener
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
    private readonly LogThrottle _acceptFailures = new(TimeSpan.FromSeconds(5), TimeProvider.System);
    private volatile bool _unbound;
    private int _disposed;

    private HandoffConnectionListener(HandoffEndPoint endPoint, byte[] secret, SocketConnectionFactoryOptions options, ILoggerFactory loggerFactory, Socket listenSocket)
    {
        _endPoint = endPoint;
        _secret = secret;
        _logger = loggerFactory.CreateLogger("Defuss.Worker.Runtime.Handoff");
        _factory = new SocketConnectionContextFactory(options, loggerFactory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        _listenSocket = listenSocket;
        _epoll = new Epoll();
        _acceptThread = new Thread(AcceptChannels) { IsBackground = true, Name = "Defuss handoff accept" };
    }

    public EndPoint EndPoint => _endPoint;

    /// <summary>Listens on the endpoint's path (the hosting glue has removed a file an earlier, killed incarnation left there).</summary>
    public static HandoffConnectionListener Bind(HandoffEndPoint endPoint, byte[] secret, SocketConnectionFactoryOptions options, ILoggerFactory loggerFactory)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(endPoint.Path));
            socket.Listen(16);
            var listener = new HandoffConnectionListener(endPoint, secret, options, loggerFactory, socket);
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
        List<WorkerHandoffChannel> channels;
        lock (_gate)
        {
            if (_unbound)
            {
                return ValueTask.CompletedTask;
            }

            _unbound = true;
            channels = _channels.Select(c => c.Channel).ToList();
        }

        // No new channel either: with the socket closed, the primary's connect is refused and it routes elsewhere.
        _epoll.Wake();
        _acceptThread.Join();
        _listenSocket.Dispose();
        TryDelete(_endPoint.Path);
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

    private unsafe void AcceptChannels()
    {
        var listenFd = (int)_listenSocket.Handle;
        Span<(uint Events, ulong Token)> ready = stackalloc (uint, ulong)[2];
        var backoff = ErrorBackoff.ForAccept;
        while (!_unbound)
        {
            _ = _epoll.Wait(ready, -1);
            while (!_unbound)
            {
                var fd = LinuxSockets.Accept(listenFd, null, null, LinuxSockets.SockCloexec);
                if (fd < 0)
                {
                    var errno = LinuxSockets.LastError;
                    if (errno is not (LinuxSockets.EAgain or LinuxSockets.EIntr or LinuxSockets.EConnAborted))
                    {
                        // Out of descriptors (EMFILE): the waiting channel keeps the socket readable, so trying again at
                        // once would spin. Pause, doubling up to 1 s, and say so at most once every 5 s.
                        if (_acceptFailures.TryLog(out _))
                        {
                            WorkerLog.HandoffChannelAcceptFailed(_logger, errno);
                        }

                        Thread.Sleep(backoff.Next());
                    }

                    break;
                }

                backoff.Reset();
                var channel = new WorkerHandoffChannel(fd, _logger);
                var reader = new Thread(() => ReadChannel(channel)) { IsBackground = true, Name = "Defuss handoff receive" };
                lock (_gate)
                {
                    if (_unbound)
                    {
                        channel.Dispose();
                        break;
                    }

                    _channels.Add((channel, reader));
                }

                reader.Start();
            }
        }
    }

    private void ReadChannel(WorkerHandoffChannel channel)
    {
        try
        {
            if (!channel.ReadFrame(out var kind, out _, out var secret, out var descriptor) || kind != HandoffFrameKind.Hello
                || !CryptographicOperations.FixedTimeEquals(secret, _secret))
            {
                WorkerLog.HandoffChannelRejected(_logger, kind == HandoffFrameKind.Hello ? "wrong secret" : $"first frame {kind}");
                Close(descriptor);
                channel.StopReceiving();
                return;
            }

            while (channel.ReadFrame(out kind, out var id, out var prefix, out descriptor))
            {
                if (kind != HandoffFrameKind.Connection)
                {
                    Close(descriptor);
                    WorkerLog.HandoffChannelBroken(_logger, $"a {kind} frame from the primary");
                    channel.StopReceiving();
                    return;
                }

                var pending = new PendingConnection(channel, id, descriptor, prefix.ToArray());
                if (_unbound || !_pending.Writer.TryWrite(pending))
                {
                    channel.Return(id, descriptor);
                }
            }
        }
        catch (FormatException exception)
        {
            WorkerLog.HandoffChannelBroken(_logger, exception.Message);
            channel.StopReceiving();
        }
    }

    private ConnectionContext? Open(PendingConnection pending)
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

        return connection;
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
