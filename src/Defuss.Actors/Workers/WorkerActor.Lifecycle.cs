using Defuss.Actors.Routing;

namespace Defuss.Actors.Workers;

internal sealed partial class WorkerActor
{
    private void HandleExit(ProcessExited exited)
    {
        var wasReady = _record.State is not WorkerState.Starting;
        var process = _record.Process!;
        _record.Process = null;
        _record.Session?.Close();
        _record.Session = null;
        foreach (var timer in new[] { StartupTimer, StopTimer, HeartbeatTimer, StableTimer })
        {
            Timers.Cancel(timer);
        }

        var expected = _record.Stopping || _record.LaunchAfterExit;
        _events.Tell(new WorkerExited(_index, exited.Incarnation, process.Pid, exited.Exit, expected, process.RecentErrorOutput));
        if (_record.Stopping)
        {
            if (_record.Retiring is null)
            {
                _record.State = WorkerState.Stopped;
                Context.Parent.Tell(new WorkerStopped(_index));
            }

            return;
        }

        if (_record.LaunchAfterExit)
        {
            _record.LaunchAfterExit = false;
            Launch();
            return;
        }

        if (KeepRetiringProcess(wasReady))
        {
            return;
        }

        _router.Tell(new BackendRemoved(_id));

        _record.State = WorkerState.Exited;
        if (_settings.RespawnWorkers)
        {
            Fail(exited.Exit, process.Pid, process.RecentErrorOutput);
        }
    }

    /// <summary>The process is gone against our will: respawn after the backoff, or give up past the budget.</summary>
    private void Fail(WorkerExit lastExit, int lastPid, IReadOnlyList<string> errorOutput)
    {
        var policy = _settings.Restart;
        var now = _clock.GetTimestamp();
        while (_record.Restarts.TryPeek(out var oldest) && _clock.GetElapsedTime(oldest, now) > policy.MaxRestartsWindow)
        {
            _record.Restarts.Dequeue();
        }

        if (_record.Restarts.Count >= policy.MaxRestarts)
        {
            _record.State = WorkerState.GivenUp;
            _events.Tell(new WorkerGaveUp(_index, _record.Incarnation, lastPid, lastExit, policy.MaxRestarts, policy.MaxRestartsWindow, errorOutput));
            Context.Parent.Tell(new WorkerGaveUpNotice(_index));
            return;
        }

        _record.Restarts.Enqueue(now);
        _record.ConsecutiveFailures++;
        var delay = Backoff.Delay(_record.ConsecutiveFailures, policy.BackoffMin, policy.BackoffMax, _settings.Random());
        Timers.StartSingleTimer(RespawnTimer, new RespawnDue(_record.Incarnation), delay);
        _events.Tell(new WorkerRespawnScheduled(_index, _record.Incarnation, delay));
    }

    private void HandleStop(StopWorker stop)
    {
        _record.Stopping = true;
        _record.LaunchAfterExit = false;
        Timers.Cancel(RespawnTimer);

        // A second stop (a second signal: at once) may arrive before the first (graceful) one: the sooner deadline stands.
        var due = _clock.After(_clock.GetTimestamp(), stop.Deadline);
        var sooner = _record.StopDue is not { } current || due < current;
        if (sooner)
        {
            _record.StopDue = due;
        }

        if (_record.Retiring is { } old && sooner)
        {
            AskToStop(old.Session, old.Process, stop.Deadline);
            Timers.StartSingleTimer("retire", new RetireDeadlinePassed(old.Incarnation), stop.Deadline);
        }

        if (_record.Process is null)
        {
            _record.State = WorkerState.Stopped;
            Context.Parent.Tell(new WorkerStopped(_index));
            return;
        }

        if (_record.State is not (WorkerState.Draining or WorkerState.Stale))
        {
            _record.State = WorkerState.Draining;
            _router.Tell(new BackendRemoved(_id));
            AskToStop(stop.Deadline);
            _events.Tell(new WorkerDraining(_index, _record.Incarnation, _record.Process.Pid, "Defuss is stopping"));
        }

        if (sooner)
        {
            Timers.StartSingleTimer(StopTimer, new StopDeadlinePassed(_record.Incarnation), stop.Deadline);
        }
    }

    /// <summary>Asks the current process to stop: over the control channel if it is open (the worker drains), else with SIGTERM.</summary>
    private void AskToStop(TimeSpan deadline) => AskToStop(_record.Session, _record.Process!, deadline);

    private static void AskToStop(IWorkerControlSession? session, IWorkerProcess process, TimeSpan deadline)
    {
        if (session is not null)
        {
            session.SendStop(deadline);
        }
        else
        {
            process.Terminate();
        }
    }
}
