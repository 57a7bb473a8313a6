using System.Net.Sockets;
using Akka.Actor;
using Defuss.Actors.Workers;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Logging;

namespace Defuss.Control;

/// <summary>
/// The control channel's listening end: one Unix domain socket in a directory only the primary's user can open.
/// Each connection must start with the <see cref="Hello"/> of a worker incarnation the supervisor is starting, with its
/// secret; its frames then go to that worker's actor.
/// </summary>
internal sealed class ControlHub : IAsyncDisposable
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    private readonly IActorRef _supervisor;
    private readonly ILogger _logger;
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<ControlSession> _sessions = [];
    private Task _acceptLoop = Task.CompletedTask;

    public ControlHub(IActorRef supervisor, string socketPath, ILogger logger)
    {
        _supervisor = supervisor;
        _logger = logger;
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

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException exception)
            {
                ControlLog.AcceptFailed(_logger, exception.SocketErrorCode);
                continue;
            }

            _ = RunSessionAsync(new ControlSession(socket));
        }
    }

    private async Task RunSessionAsync(ControlSession session)
    {
        lock (_sessions)
        {
            _sessions.Add(session);
        }

        IActorRef? worker = null;
        long incarnation = 0;
        try
        {
            (worker, incarnation) = await AuthenticateAsync(session).ConfigureAwait(false);
            if (worker is null)
            {
                return;
            }

            while (await ControlFraming.ReadAsync(session.Stream, _stopping.Token).ConfigureAwait(false) is { } frame)
            {
                worker.Tell(new WorkerReport(incarnation, frame), ActorRefs.Nobody);
            }
        }
        catch (InvalidDataException exception)
        {
            ControlLog.Rejected(_logger, exception.Message);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException or AskTimeoutException)
        {
            // The worker went away or the primary is stopping: a normal end of the channel.
        }
        finally
        {
            worker?.Tell(new ControlChannelClosed(incarnation), ActorRefs.Nobody);
            session.Close();
            lock (_sessions)
            {
                _sessions.Remove(session);
            }
        }
    }

    /// <summary>Reads the hello and asks the supervisor whether it belongs to a worker it is starting.</summary>
    private async Task<(IActorRef? Worker, long Incarnation)> AuthenticateAsync(ControlSession session)
    {
        using var helloTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        helloTimeout.CancelAfter(HelloTimeout);
        if (await ControlFraming.ReadAsync(session.Stream, helloTimeout.Token).ConfigureAwait(false) is not Hello hello)
        {
            ControlLog.Rejected(_logger, "the first frame was not a hello");
            return (null, 0);
        }

        var answer = await _supervisor.Ask<object>(new WorkerHello(hello, session), HelloTimeout, _stopping.Token).ConfigureAwait(false);
        if (answer is HelloAccepted accepted)
        {
            return (accepted.Worker, hello.Incarnation);
        }

        ControlLog.Rejected(_logger, $"worker {hello.Index} incarnation {hello.Incarnation} (pid {hello.Pid}): {(answer as HelloRejected)?.Reason}");
        return (null, 0);
    }
}
