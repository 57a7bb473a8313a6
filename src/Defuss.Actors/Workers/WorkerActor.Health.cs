using Defuss.Actors.Routing;

namespace Defuss.Actors.Workers;

internal sealed partial class WorkerActor
{
    private void HandleStartupTimeout(StartupDeadlinePassed deadline)
    {
        _events.Tell(new WorkerStartupTimedOut(_index, deadline.Incarnation, _record.Process!.Pid, _settings.StartupTimeout));
        _record.Process.Kill();
    }

    /// <summary>No heartbeat in time: route around it at once, ask it to stop, kill it after the grace; its exit respawns it.</summary>
    private void HandleStale(HeartbeatDeadlinePassed deadline)
    {
        _record.State = WorkerState.Stale;
        _router.Tell(new BackendRemoved(_id));
        var silence = _clock.GetElapsedTime(_record.LastHeardAt);
        _events.Tell(new WorkerStale(_index, deadline.Incarnation, _record.Process!.Pid, silence));
        AskToStop(_settings.KillGrace);
        Timers.StartSingleTimer(StopTimer, new StopDeadlinePassed(deadline.Incarnation), _settings.KillGrace);
    }

    /// <summary>
    /// The control hub closed this incarnation's channel for malformed reports. A starting process is killed (it serves
    /// nothing yet; a replacement in progress then keeps the old process); a serving one is routed around at once, told
    /// to stop with SIGTERM and killed after the grace. Its exit respawns it, within the restart budget.
    /// </summary>
    private void HandleBrokeProtocol(WorkerBrokeProtocol broke)
    {
        _record.Session?.Close();
        _record.Session = null;
        if (_record.State == WorkerState.Starting)
        {
            _record.Process!.Kill();
            return;
        }

        if (_record.State == WorkerState.Ready)
        {
            _record.State = WorkerState.Stale;
            Timers.Cancel(HeartbeatTimer);
            Timers.Cancel(StableTimer);
            _router.Tell(new BackendRemoved(_id));
            _record.Process!.Terminate();
            Timers.StartSingleTimer(StopTimer, new StopDeadlinePassed(broke.Incarnation), _settings.KillGrace);
        }
    }

    /// <summary>
    /// After an actor restart: the timers died with the old instance, and the router may have missed a change the failed
    /// handler was making. Tell the router where the worker stands and arm again the timers its state needs.
    /// </summary>
    private void Adopt()
    {
        var incarnation = _record.Incarnation;
        switch (_record.State)
        {
            case WorkerState.Starting:
                Timers.StartSingleTimer(StartupTimer, new StartupDeadlinePassed(incarnation), _settings.StartupTimeout);
                break;
            case WorkerState.Ready:
                // The stable period starts again: the old instance's timer died with it, and a worker that stays Ready
                // must still have its backoff reset.
                Timers.StartSingleTimer(StableTimer, new StablePeriodPassed(incarnation), _settings.Restart.BackoffResetAfter);
                Heard();
                _router.Tell(new BackendUpdated(Candidate()));
                break;
            case WorkerState.Stale or WorkerState.Draining:
                _router.Tell(new BackendRemoved(_id));
                Timers.StartSingleTimer(StopTimer, new StopDeadlinePassed(incarnation), _settings.KillGrace);
                break;
            case WorkerState.Exited when !_record.Stopping && _settings.RespawnWorkers:
                _router.Tell(new BackendRemoved(_id));
                Timers.StartSingleTimer(RespawnTimer, new RespawnDue(incarnation), _settings.Restart.BackoffMin);
                break;
        }
    }
}
