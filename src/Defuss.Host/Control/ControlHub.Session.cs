using System.Globalization;
using Akka.Actor;
using Defuss.Actors.Workers;
using Defuss.Worker.Protocol;

namespace Defuss.Control;

internal sealed partial class ControlHub
{
    /// <summary>How many connections may be waiting to say hello at once; more are closed at once.</summary>
    /// <remarks>Workers say hello within milliseconds of connecting; 64 covers a start of many workers at once.</remarks>
    internal const int MaxPendingHellos = 64;

    /// <summary>How many malformed reports an incarnation may send before it is replaced; the first ones may be a glitch.</summary>
    internal const int MaxMalformedReports = 3;

    /// <summary>How many reports a session may send in a second; faster, the hub reads more slowly (the worker's writes wait).</summary>
    /// <remarks>A worker sends one heartbeat per interval (at least 10 ms): 100 a second at most.</remarks>
    internal const int MaxReportsPerSecond = 200;

    /// <summary>How many connections are waiting to say hello now.</summary>
    internal int PendingHellos => Volatile.Read(ref _pendingHellos);

    private async Task RunSessionAsync(ControlSession session)
    {
        lock (_sessions)
        {
            _sessions.Add(session);
        }

        IActorRef? worker = null;
        Hello? hello = null;
        try
        {
            (worker, hello) = await AuthenticateAsync(session).ConfigureAwait(false);
            if (worker is not null)
            {
                await RelayReportsAsync(session, worker, hello!).ConfigureAwait(false);
            }
        }
        catch (InvalidDataException exception) when (worker is null)
        {
            Reject(exception.Message);
        }
        catch (InvalidDataException exception)
        {
            // The framing broke after the hello (a length out of bounds, a frame cut short): the channel cannot be read on.
            BrokeProtocol(worker!, hello!, exception.Message);
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException or AskTimeoutException)
        {
            // The worker went away or the primary is stopping: a normal end of the channel.
        }
        finally
        {
            worker?.Tell(new ControlChannelClosed(hello!.Incarnation), ActorRefs.Nobody);
            session.Close();
            lock (_sessions)
            {
                _sessions.Remove(session);
            }
        }
    }

    /// <summary>
    /// Reads the hello and asks the supervisor whether it belongs to a worker it is starting. At most
    /// <see cref="MaxPendingHellos"/> connections wait for theirs at once, each at most <see cref="HelloTimeout"/>.
    /// </summary>
    private async Task<(IActorRef? Worker, Hello? Hello)> AuthenticateAsync(ControlSession session)
    {
        if (Interlocked.Increment(ref _pendingHellos) > MaxPendingHellos)
        {
            Interlocked.Decrement(ref _pendingHellos);
            Reject(string.Create(CultureInfo.InvariantCulture, $"{MaxPendingHellos} connections are already waiting to say hello"));
            return (null, null);
        }

        try
        {
            using var helloTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            helloTimeout.CancelAfter(HelloTimeout);
            ControlMessage? first;
            try
            {
                first = await ControlFraming.ReadAsync(session.Stream, helloTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                Reject(string.Create(CultureInfo.InvariantCulture, $"no hello within {HelloTimeout.TotalSeconds} s"));
                return (null, null);
            }

            if (first is not Hello hello)
            {
                Reject(first is null ? "it closed before its hello" : "the first frame was not a hello");
                return (null, null);
            }

            var answer = await _supervisor.Ask<object>(new WorkerHello(hello, session), HelloTimeout, _stopping.Token).ConfigureAwait(false);
            if (answer is HelloAccepted accepted)
            {
                return (accepted.Worker, hello);
            }

            Reject($"worker {hello.Index} incarnation {hello.Incarnation} (pid {hello.Pid}): {(answer as HelloRejected)?.Reason}");
            return (null, null);
        }
        finally
        {
            Interlocked.Decrement(ref _pendingHellos);
        }
    }

    /// <summary>
    /// Passes the incarnation's reports to its actor until the channel ends. A malformed one is refused with a warning
    /// and never reaches the actor; after <see cref="MaxMalformedReports"/> of them the incarnation is replaced.
    /// </summary>
    private async Task RelayReportsAsync(ControlSession session, IActorRef worker, Hello hello)
    {
        var malformed = 0;
        var windowStart = _timeProvider.GetTimestamp();
        var inWindow = 0;
        while (true)
        {
            var (frame, problem) = await ControlFraming.ReadFrameAsync(session.Stream, _stopping.Token).ConfigureAwait(false);
            if (frame is null && problem is null)
            {
                return;
            }

            if (frame is not (null or Hello or Stop))
            {
                worker.Tell(new WorkerReport(hello.Incarnation, frame), ActorRefs.Nobody);
                (windowStart, inWindow) = await PaceAsync(windowStart, inWindow + 1).ConfigureAwait(false);
                continue;
            }

            problem ??= $"A control frame is a {(frame is Hello ? "hello" : "stop")}, which a worker never sends once it is connected.";

            malformed++;
            _metrics?.ControlReportRefused();
            ControlLog.ReportRefused(_logger, hello.Index, hello.Incarnation, hello.Pid, problem);
            if (malformed >= MaxMalformedReports)
            {
                BrokeProtocol(worker, hello, string.Create(CultureInfo.InvariantCulture, $"{malformed} malformed reports, the last: {problem}"));
                return;
            }
        }
    }

    /// <summary>Counts one report in the current second; past <see cref="MaxReportsPerSecond"/>, waits for the next second.</summary>
    private async ValueTask<(long WindowStart, int InWindow)> PaceAsync(long windowStart, int inWindow)
    {
        var elapsed = _timeProvider.GetElapsedTime(windowStart);
        if (elapsed >= TimeSpan.FromSeconds(1))
        {
            return (_timeProvider.GetTimestamp(), 1);
        }

        if (inWindow < MaxReportsPerSecond)
        {
            return (windowStart, inWindow);
        }

        await Task.Delay(TimeSpan.FromSeconds(1) - elapsed, _timeProvider, _stopping.Token).ConfigureAwait(false);
        return (_timeProvider.GetTimestamp(), 0);
    }

    private void BrokeProtocol(IActorRef worker, Hello hello, string reason)
    {
        ControlLog.WorkerBrokeProtocol(_logger, hello.Index, hello.Incarnation, hello.Pid, reason);
        worker.Tell(new WorkerBrokeProtocol(hello.Incarnation, reason), ActorRefs.Nobody);
    }
}
