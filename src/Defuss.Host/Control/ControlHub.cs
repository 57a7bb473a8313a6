using System.Net.Sockets;
using Akka.Actor;
using Defuss.Telemetry;
using Defuss.Worker.Resilience;

using Microsoft.Extensions.Logging;

namespace Defuss.Control;

/// <summary>
/// The control channel's listening end: one Unix domain socket in a directory only the primary's user can open.
/// Each connection must start with the <see cref="Defuss.Worker.Protocol.Hello"/> of a worker incarnation the supervisor
/// is starting, with its secret; its frames then go, once validated, to that worker's actor.
/// </summary>
/// <remarks>
/// Everything a connection controls is bounded: the frame size, the time to say hello, the number of connections that
/// have not yet said it, the rate of reports, and the malformed reports an incarnation may send before it is replaced.
/// A failing accept (EMFILE) backs off, and every warning a storm could repeat is rate-limited.
/// </remarks>
internal sealed partial class ControlHub : IAsyncDisposable
{
    /// <summary>How long a new connection may take to say hello.</summary>
    internal static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The shortest interval between two lines about the same kind of refused connection or failed accept.</summary>
    internal static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(5);

    private readonly IActorRef _supervisor;
    private readonly ILogger _logger;
    private readonly DefussMetrics? _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly Func<Socket, CancellationToken, ValueTask<Socket>> _accept;
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<ControlSession> _sessions = [];
    private readonly LogThrottle _acceptWarnings;
    private readonly LogThrottle _rejectionWarnings;
    private Task _acceptLoop = Task.CompletedTask;
    private int _pendingHellos;

    /// <param name="supervisor">Where hellos are checked.</param>
    /// <param name="socketPath">The path of the control socket.</param>
    /// <param name="logger">Where refusals and failures are logged.</param>
    /// <param name="metrics">Counts refused reports; none in tests that do not look.</param>
    /// <param name="timeProvider">The clock of the backoff, the rate limits and the hello timeout.</param>
    /// <param name="accept">Accepts one connection; tests make it fail.</param>
    public ControlHub(
        IActorRef supervisor,
        string socketPath,
        ILogger logger,
        DefussMetrics? metrics = null,
        TimeProvider? timeProvider = null,
        Func<Socket, CancellationToken, ValueTask<Socket>>? accept = null)
    {
        _supervisor = supervisor;
        _logger = logger;
        _metrics = metrics;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _accept = accept ?? ((listener, cancellationToken) => listener.AcceptAsync(cancellationToken));
        _acceptWarnings = new LogThrottle(_timeProvider, WarningInterval);
        _rejectionWarnings = new LogThrottle(_timeProvider, WarningInterval);
        SocketPath = socketPath;
    }

    /// <summary>The path of the control socket.</summary>
    public string SocketPath { get; }

    /// <summary>Binds the control socket and starts accepting.</summary>
    public void Start()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(128);
        _acceptLoop = AcceptLoopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        lock (_sessions)
        {
            foreach (var session in _sessions)
            {
                session.Close();
            }
        }
    }

    /// <summary>
    /// Accepts until the hub stops. A failed accept (EMFILE, ENOBUFS) is retried after a pause that doubles up to 1 s,
    /// and logged at most once per <see cref="WarningInterval"/>: retried at once, it would spin and flood the log.
    /// </summary>
    private async Task AcceptLoopAsync()
    {
        var backoff = ErrorBackoff.ForAccept;
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _accept(_listener, _stopping.Token).ConfigureAwait(false);
                backoff.Reset();
                failures = 0;
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                // The client gave up before it was accepted: nothing to do, nothing wrong here.
                continue;
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                var delay = backoff.Next();
                failures++;
                if (_acceptWarnings.TryEnter(out _))
                {
                    ControlLog.AcceptFailed(_logger, (exception as SocketException)?.SocketErrorCode.ToString() ?? exception.GetType().Name, failures, (long)delay.TotalMilliseconds);
                }

                try
                {
                    await Task.Delay(delay, _timeProvider, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            _ = RunSessionAsync(new ControlSession(socket));
        }
    }

    /// <summary>A connection refused before or at its hello: logged at most once per <see cref="WarningInterval"/>.</summary>
    private void Reject(string reason)
    {
        if (_rejectionWarnings.TryEnter(out var occurrences))
        {
            var suppressed = occurrences - 1;
            if (suppressed > 0)
            {
                ControlLog.RejectionsNotLogged(_logger, suppressed, (long)WarningInterval.TotalSeconds);
            }

            ControlLog.Rejected(_logger, reason);
        }
    }
}
