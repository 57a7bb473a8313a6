using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Defuss.Actors.Routing;
using Defuss.Telemetry;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

/// <summary>
/// Delivers a connection by proxying it: connects to the worker's private endpoint (TCP or a Unix domain socket),
/// replays the sniffed prefix, then pumps both directions until both end (<see cref="ProxySession"/>). One timer sweeps
/// the open sessions and closes those idle beyond <see cref="FrontDoorOptions.ProxyIdleTimeout"/>, or half-closed beyond
/// <see cref="FrontDoorOptions.HalfCloseTimeout"/>.
/// </summary>
internal sealed class ProxyDelivery : IConnectionDelivery, IDisposable
{
    private readonly FrontDoorOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly DefussMetrics? _metrics;
    private readonly ConcurrentDictionary<ProxySession, string> _sessions = new();
    private readonly ITimer? _sweeper;
    private long _bytesFromClients;
    private long _bytesToClients;

    public ProxyDelivery(FrontDoorOptions options, ILogger<ProxyDelivery> logger, TimeProvider timeProvider, DefussMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
        _metrics = metrics;
        if (SweepPeriod(options) is { } period)
        {
            _sweeper = timeProvider.CreateTimer(static state => ((ProxyDelivery)state!).Sweep(), this, period, period);
        }
    }

    /// <summary>Proxied sessions open now.</summary>
    public int OpenSessions => _sessions.Count;

    /// <summary>Pooled buffers the open sessions hold now: none for a session whose bytes are not moving.</summary>
    internal int BuffersHeld => _sessions.Keys.Sum(session => session.BuffersHeld);

    /// <summary>Bytes piped from clients to backends by every finished connection.</summary>
    public long BytesFromClients => Interlocked.Read(ref _bytesFromClients);

    /// <summary>Bytes piped from backends to clients by every finished connection.</summary>
    public long BytesToClients => Interlocked.Read(ref _bytesToClients);

    /// <inheritdoc />
    public async Task DeliverAsync(Socket client, ReadOnlyMemory<byte> prefix, BackendCandidate backend, CancellationToken draining, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(backend);
        var backendSocket = await ConnectAsync(backend.Endpoint, cancellationToken);
        _metrics?.ConnectionDelivered("proxy");
        var session = new ProxySession(client, backendSocket, _options.AllowHalfOpen, _timeProvider);
        _sessions[session] = backend.Id;
        try
        {
            using (cancellationToken.UnsafeRegister(static state => ((ProxySession)state!).Abort(), session))
            using (draining.UnsafeRegister(static state => ((ProxySession)state!).BeginDrain(), session))
            {
                await session.RunAsync(ProxyHeader(client, backend.Secret.Span), prefix);
            }
        }
        finally
        {
            _sessions.TryRemove(session, out _);
        }

        Interlocked.Add(ref _bytesFromClients, session.BytesFromClient);
        Interlocked.Add(ref _bytesToClients, session.BytesToClient);
        FrontDoorLog.ProxiedConnectionClosed(_logger, backend.Id, session.WasAborted ? "aborted" : "closed", session.BytesFromClient, session.BytesToClient);
    }

    public void Dispose() => _sweeper?.Dispose();

    /// <summary>
    /// How often the sweeper looks at the sessions: a quarter of the shortest timeout, between 50 ms and 1 s; none when both
    /// timeouts are off.
    /// </summary>
    internal static TimeSpan? SweepPeriod(FrontDoorOptions options)
    {
        var timeouts = new[] { options.ProxyIdleTimeout, options.HalfCloseTimeout }.Where(t => t > TimeSpan.Zero).ToArray();
        return timeouts.Length == 0
            ? null
            : TimeSpan.FromTicks(Math.Clamp(timeouts.Min().Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
    }

    /// <summary>Closes the sessions past a timeout. Runs on the timer; closing a socket never blocks.</summary>
    private void Sweep()
    {
        var now = _timeProvider.GetTimestamp();
        foreach (var (session, backendId) in _sessions)
        {
            if (session.IsClosed)
            {
                continue;
            }

            if (_options.HalfCloseTimeout > TimeSpan.Zero && session.HalfClosedSince is > 0 and var since
                && _timeProvider.GetElapsedTime(since, now) >= _options.HalfCloseTimeout)
            {
                session.Close();
                _metrics?.ProxyTimedOut("half_close");
                FrontDoorLog.ProxyHalfCloseClosed(_logger, backendId, _options.HalfCloseTimeout);
            }
            else if (_options.ProxyIdleTimeout > TimeSpan.Zero && _timeProvider.GetElapsedTime(session.LastActivity, now) >= _options.ProxyIdleTimeout)
            {
                session.Abort();
                _metrics?.ProxyTimedOut("idle");
                FrontDoorLog.ProxyIdleClosed(_logger, backendId, _options.ProxyIdleTimeout);
            }
        }
    }

    /// <summary>
    /// The PROXY v2 header that tells the worker who the client is. The worker accepts it only on its private endpoint
    /// and only with its incarnation's <paramref name="secret"/>, which no other local process knows.
    /// </summary>
    private static byte[] ProxyHeader(Socket client, ReadOnlySpan<byte> secret)
    {
        Span<byte> header = stackalloc byte[ProxyProtocolV2.MaxWrittenLength];
        var length = client.RemoteEndPoint is IPEndPoint remote
            ? ProxyProtocolV2.Write(header, remote, client.LocalEndPoint as IPEndPoint, secret)
            : ProxyProtocolV2.WriteLocal(header, secret);
        return header[..length].ToArray();
    }

    private async ValueTask<Socket> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = endPoint is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        }
        catch (SocketException exception)
        {
            throw new BackendConnectException($"the primary could not open a socket ({exception.SocketErrorCode})", exception)
            {
                PrimaryShortOfResources = BackendConnectException.IsLocalShortage(exception.SocketErrorCode),
            };
        }

        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _timeProvider);
        using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        try
        {
            if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                socket.NoDelay = true;
            }

            await socket.ConnectAsync(endPoint, timeout.Token);
            return socket;
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            throw new BackendConnectException(exception.SocketErrorCode.ToString(), exception)
            {
                PrimaryShortOfResources = BackendConnectException.IsLocalShortage(exception.SocketErrorCode),
            };
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            var reason = string.Create(CultureInfo.InvariantCulture, $"timed out after {_options.ConnectTimeout.TotalMilliseconds} ms");
            throw new BackendConnectException(reason, exception);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
