using Defuss.Worker.Resilience;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Defuss.Telemetry;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

/// <summary>
/// The public endpoint: an accept loop of its own on a raw socket, and for each connection a task that sniffs
/// its head, asks <see cref="IBackendSelector"/> once, and delivers it (or answers 503). That task is the
/// connection's lifetime.
/// </summary>
/// <remarks>
/// Shutdown is three steps the host sequences: <see cref="StopAcceptingAsync"/>, then
/// <see cref="WaitForConnectionsAsync"/> for the graceful period, then <see cref="AbortConnections"/>.
/// <see cref="DisposeAsync"/> does all three without the grace.
/// </remarks>
internal sealed partial class FrontDoorListener : IAsyncDisposable
{
    private const int ListenBacklog = 512;
    private static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(5);

    private readonly FrontDoorOptions _options;
    private readonly IBackendSelector _selector;
    private readonly IConnectionDelivery _delivery;
    private readonly HandoffDelivery? _handoff;
    private readonly HeadSniffer _sniffer;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly DefussMetrics? _metrics;
    private readonly byte[] _serviceUnavailable;
    private readonly LogThrottle _overCapacityLog;
    private readonly LogThrottle _shortageLog;
    private readonly ConcurrentDictionary<long, FrontDoorConnection> _connections = new();
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly CancellationTokenSource _abortConnections = new();
    private readonly Lock _gate = new();
    private Socket? _listenSocket;
    private bool _shared;
    private int _disposed;
    private IPEndPoint? _localEndPoint;
    private Task _acceptLoop = Task.CompletedTask;
    private long _lastConnectionId;

    /// <summary>A front door that proxies to the backends <paramref name="selector"/> chooses.</summary>
    public FrontDoorListener(FrontDoorOptions options, IBackendSelector selector, ILoggerFactory loggerFactory, TimeProvider? timeProvider = null)
        : this(options, selector, loggerFactory, timeProvider ?? TimeProvider.System, delivery: null)
    {
    }

    /// <summary>
    /// A front door that delivers connections through <paramref name="delivery"/> (<see cref="ProxyDelivery"/> when null),
    /// or, with <paramref name="handoff"/>, hands every connection's socket to its worker (Linux).
    /// </summary>
    public FrontDoorListener(
        FrontDoorOptions options,
        IBackendSelector selector,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        IConnectionDelivery? delivery,
        HandoffDelivery? handoff = null,
        DefussMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _selector = selector;
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<FrontDoorListener>();
        _delivery = delivery ?? new ProxyDelivery(options, loggerFactory.CreateLogger<ProxyDelivery>(), timeProvider, metrics);
        _sniffer = new HeadSniffer(options, timeProvider);
        _handoff = handoff;
        _metrics = metrics;
        _overCapacityLog = new LogThrottle(timeProvider, LogThrottle.DefaultInterval);
        _shortageLog = new LogThrottle(timeProvider, LogThrottle.DefaultInterval);
        _serviceUnavailable = ServiceUnavailableResponse.Create(options.RetryAfterSeconds);
    }

    /// <summary>Where the front door listens (with the real port), once started.</summary>
    public IPEndPoint? LocalEndPoint => _localEndPoint;

    /// <summary>How connections reach their workers when they are proxied.</summary>
    public IConnectionDelivery Delivery => _delivery;

    /// <summary>How connections reach their workers when their sockets are handed off, or null when they are proxied.</summary>
    public HandoffDelivery? Handoff => _handoff;

    /// <summary>
    /// Binds <see cref="FrontDoorOptions.Endpoint"/> and starts accepting, or accepts on <paramref name="listening"/>, a
    /// socket that already listens (systemd's, or one a hand-over passed), which the front door then owns. Returns the
    /// bound endpoint (port 0 becomes the port the OS picked); an endpoint that cannot be bound fails with an
    /// <see cref="InvalidOperationException"/> naming its address and port.
    /// </summary>
    public Task<IPEndPoint> StartAsync(Socket? listening = null)
    {
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_stopAccepting.IsCancellationRequested, this);
                if (_listenSocket is not null)
                {
                    throw new InvalidOperationException("The front door has already started.");
                }

                _listenSocket = listening ?? Bind(_options.Endpoint);
                _shared = listening is not null;
                _localEndPoint = (IPEndPoint)_listenSocket.LocalEndPoint!;
                _acceptLoop = _handoff is null ? Task.Run(AcceptLoopAsync) : StartHandoffIntake(_listenSocket);
            }

            FrontDoorLog.Listening(_logger, _localEndPoint);
            return Task.FromResult(_localEndPoint);
        }
        catch (Exception exception)
        {
            return Task.FromException<IPEndPoint>(exception);
        }
    }

    /// <summary>
    /// The listening socket, for a hand-over to pass to the new primary, once started; from then on the socket counts as
    /// shared, and <see cref="StopAcceptingAsync"/> closes this process's descriptor without ending the socket.
    /// </summary>
    public Socket? ShareListeningSocket()
    {
        lock (_gate)
        {
            _shared |= _listenSocket is not null;
            return _listenSocket;
        }
    }

    /// <summary>
    /// Stops accepting and closes this process's listening descriptor: new connections are refused, unless another
    /// process holds the same socket (systemd, or the new primary of a hand-over), which then accepts them. Waits for the
    /// accept loop to end.
    /// </summary>
    public async Task StopAcceptingAsync()
    {
        Socket? listenSocket;
        lock (_gate)
        {
            if (_stopAccepting.IsCancellationRequested)
            {
                listenSocket = null;
            }
            else
            {
                _stopAccepting.Cancel();
                listenSocket = _listenSocket;
            }
        }

        if (listenSocket is null)
        {
            await _acceptLoop;
            return;
        }

        if (_handoff is not null)
        {
            // The handoff intake accepts on the front door's loop: it stops watching the socket there.
            StopHandoffIntake();
        }

        // The accept loop ends on the token (its pending accept is cancelled) before the socket is closed: a socket closed
        // while an accept is in flight may be shut down, which would end it for every process that holds it.
        await _acceptLoop;
        if (Volatile.Read(ref _shared))
        {
            Upgrade.ListeningSockets.MarkShared(listenSocket);
        }

        listenSocket.Dispose();

        FrontDoorLog.StoppedAccepting(_logger, _localEndPoint!, ActiveConnections);
    }

    /// <summary>Waits until every open connection has ended, at most <paramref name="timeout"/>; returns whether they all did.</summary>
    public async Task<bool> WaitForConnectionsAsync(TimeSpan timeout)
    {
        var deadline = _timeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * _timeProvider.TimestampFrequency);
        while (!_connections.IsEmpty)
        {
            var remaining = TimeSpan.FromSeconds((double)(deadline - _timeProvider.GetTimestamp()) / _timeProvider.TimestampFrequency);
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            var open = _connections.Values.Select(connection => connection.Completion);
            try
            {
                await Task.WhenAll(open).WaitAsync(remaining, _timeProvider);
            }
            catch (TimeoutException)
            {
                return _connections.IsEmpty;
            }
        }

        return true;
    }

    /// <summary>Resets every connection still open; their tasks end shortly after.</summary>
    public void AbortConnections()
    {
        var count = ActiveConnections;
        if (count > 0)
        {
            FrontDoorLog.AbortingConnections(_logger, count);
        }

        // Reset the sockets before cancelling: a cancelled sniff would otherwise close its socket gracefully first,
        // and the client would take a cut connection for a clean end.
        foreach (var connection in _connections.Values)
        {
            connection.Abort();
        }

        _abortConnections.Cancel();

        // Handed-off connections are waited for without a registration on the token each: they are let go here.
        if (_handoff is not null)
        {
            foreach (var connection in _connections.Values)
            {
                _handoff.Abandon(connection.Id);
            }
        }
    }

    /// <summary>Stops accepting, aborts what is still open, and waits briefly for the connection tasks to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAcceptingAsync();
        AbortConnections();
        _handoff?.CloseAll();
        var done = await WaitForConnectionsAsync(DisposeTimeout);
        _lateHeads?.Dispose();
        (_delivery as IDisposable)?.Dispose();
        if (done)
        {
            // Only once no connection task can still read the abort token.
            _stopAccepting.Dispose();
            _abortConnections.Dispose();
        }
    }
}
