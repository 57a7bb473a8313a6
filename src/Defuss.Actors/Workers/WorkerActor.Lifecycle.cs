using Defuss.Actors.Routing;
using Defuss.Worker.Protocol;

namespace Defuss.Actors.Workers;

internal sealed partial class WorkerActor
{
    private void HandleExit(ProcessExited exited)
    {
        var process = _process!;
        _process = null;
        _session?.Close();
        _session = null;
        Timers.Cancel(StartupTimer);
        Timers.Cancel(StopTimer);
        _router.Tell(new BackendRemoved(_id));
        _events.Tell(new WorkerExited(_index, exited.Incarnation, process.Pid, exited.Exit, _stopping, process.RecentErrorOutput));
        if (_stopping)
        {
            _state = WorkerState.Stopped;
            Context.Parent.Tell(new WorkerStopped(_index));
            return;
        }

        _state = WorkerState.Exited;
        _consecutiveFailures++;
        if (_settings.RespawnWorkers)
        {
            ScheduleRespawn();
        }
    }

    private void HandleStartupTimeout(StartupDeadlinePassed deadline)
    {
        _events.Tell(new WorkerStartupTimedOut(_index, deadline.Incarnation, _process!.Pid, _settings.StartupTimeout));
        _process.Kill();
    }

    private void HandleStop(StopWorker stop)
    {
        _stopping = true;
        Timers.Cancel(RespawnTimer);
        if (_process is null)
        {
            _state = WorkerState.Stopped;
            Context.Parent.Tell(new WorkerStopped(_index));
            return;
        }

        _state = WorkerState.Draining;
        _router.Tell(new BackendRemoved(_id));
        if (_session is not null)
        {
            _session.SendStop(stop.Deadline);
        }
        else
        {
            _process.Terminate();
        }

        Timers.StartSingleTimer(StopTimer, new StopDeadlinePassed(_incarnation), stop.Deadline);
    }

    private void ScheduleRespawn()
    {
        var delay = RespawnDelay(_consecutiveFailures, _settings.RestartBackoffMin, _settings.RestartBackoffMax);
        Timers.StartSingleTimer(RespawnTimer, new RespawnDue(_incarnation), delay);
        _events.Tell(new WorkerRespawnScheduled(_index, _incarnation, delay));
    }

    /// <summary>The delay before the next start: the minimum, doubled for every failure after the first, up to the maximum.</summary>
    internal static TimeSpan RespawnDelay(int consecutiveFailures, TimeSpan min, TimeSpan max)
    {
        var doublings = Math.Clamp(consecutiveFailures - 1, 0, 30);
        var ticks = min.Ticks * (1L << doublings);
        return ticks <= 0 || ticks > max.Ticks ? max : TimeSpan.FromTicks(ticks);
    }

    private BackendCandidate Candidate() => new(
        _id,
        _index,
        WorkerEndpoint.Parse(_endpoint),
        _process?.Pid ?? 0,
        Ready: _state == WorkerState.Ready,
        Healthy: _state == WorkerState.Ready,
        _lastHeartbeat,
        ActiveConnections: 0,
        _lastStats);
}
