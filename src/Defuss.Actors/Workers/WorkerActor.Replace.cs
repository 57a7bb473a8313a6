using Defuss.Actors.Routing;

namespace Defuss.Actors.Workers;

internal sealed partial class WorkerActor
{
    /// <summary>
    /// Starts a replacement while this process keeps serving; once the replacement is Ready the router switches to it
    /// and this process drains. When both would need the same endpoint (a TCP port), this process drains first.
    /// </summary>
    private void HandleReplace(ReplaceWorker replace, string reason)
    {
        if (_record.State != WorkerState.Ready || _record.Replacing || _record.Stopping)
        {
            Context.Parent.Tell(new WorkerReplaced(_index, Replaced: false));
            return;
        }

        _record.Replacing = true;
        _record.DrainTimeout = replace.DrainTimeout;
        _events.Tell(new WorkerReplacing(_index, _record.Incarnation, _record.Process!.Pid, reason));
        if (_settings.EndpointFor(_index, _record.Incarnation + 1) == _record.Endpoint)
        {
            _record.LaunchAfterExit = true;
            _record.State = WorkerState.Draining;
            _router.Tell(new BackendRemoved(_id));
            AskToStop(replace.DrainTimeout);
            Timers.StartSingleTimer(StopTimer, new StopDeadlinePassed(_record.Incarnation), replace.DrainTimeout);
            return;
        }

        foreach (var timer in new[] { HeartbeatTimer, StableTimer })
        {
            Timers.Cancel(timer);
        }

        _record.Retiring = new RetiringProcess(_record.Incarnation, _record.Process, _record.Session, _record.Secret);
        _record.Process = null;
        Launch();
    }

    /// <summary>
    /// The replacement is Ready (and already in the router in place of the old one): drain the old process. Returns the
    /// draining event, which the caller publishes after the replacement's <see cref="WorkerReady"/>.
    /// </summary>
    private WorkerDraining? RetireOld()
    {
        if (_record.Retiring is not { } old)
        {
            FinishReplacement();
            return null;
        }

        AskToStop(old.Session, old.Process, _record.DrainTimeout);

        Timers.StartSingleTimer("retire", new RetireDeadlinePassed(old.Incarnation), _record.DrainTimeout);
        return new WorkerDraining(_index, old.Incarnation, old.Process.Pid, "its replacement is ready");
    }

    private void HandleRetiredExit(ProcessExited exited)
    {
        var old = _record.Retiring!;
        _record.Retiring = null;
        old.Session?.Close();
        Timers.Cancel("retire");
        _events.Tell(new WorkerExited(_index, exited.Incarnation, old.Process.Pid, exited.Exit, Expected: true, old.Process.RecentErrorOutput));
        if (_record.Stopping && _record.Process is null)
        {
            _record.State = WorkerState.Stopped;
            Context.Parent.Tell(new WorkerStopped(_index));
        }
        else
        {
            // The replacement was Ready before the old process was retired; what happens to it now is its own story.
            FinishReplacement();
        }
    }

    /// <summary>The replacement failed before it was Ready: the old process, still serving, stays.</summary>
    private bool KeepRetiringProcess(bool replacementWasReady)
    {
        if (replacementWasReady || _record.Retiring is not { } old)
        {
            return false;
        }

        _record.Retiring = null;
        _record.Incarnation = old.Incarnation;
        _record.Process = old.Process;
        _record.Session = old.Session;
        _record.Secret = old.Secret;
        _record.State = WorkerState.Ready;
        _record.Endpoint = _settings.EndpointFor(_index, old.Incarnation);
        Heard();
        _router.Tell(new BackendUpdated(Candidate()));
        FinishReplacement(replaced: false);
        return true;
    }

    private void FinishReplacement(bool replaced = true)
    {
        if (_record.Replacing)
        {
            _record.Replacing = false;
            Context.Parent.Tell(new WorkerReplaced(_index, replaced));
        }
    }
}
