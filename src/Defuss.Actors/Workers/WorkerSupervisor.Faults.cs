namespace Defuss.Actors.Workers;

internal sealed partial class WorkerSupervisor
{
    /// <summary>
    /// How many times a worker's actor may be stopped for repeated faults within the restart window and be replaced;
    /// the next time, the worker is given up. A fault that comes back under a fresh actor is a bug that a third one
    /// would not escape.
    /// </summary>
    internal const int MaxActorReplacements = 1;

    /// <summary>
    /// A worker actor ended. At shutdown, or after it was given up, that is its end. Otherwise the supervisor strategy
    /// stopped it for repeated faults (its <c>PostStop</c> killed its process): the slot is never left neither serving nor
    /// respawning. It gets a new actor, which starts a new process after the backoff; if its actor was stopped before
    /// within the restart window, the worker is given up, with its event, and the pool's exit rule applies.
    /// </summary>
    private void HandleTerminated(Terminated terminated)
    {
        if (!_state.Children.Remove(terminated.ActorRef, out var index))
        {
            return;
        }

        _state.LastFaults.Remove(terminated.ActorRef, out var fault);
        if (_state.Stopping || _state.GivenUp.Contains(index) || !_state.Running.Contains(index))
        {
            _state.Running.Remove(index);
            ReplyIfAllStopped();
            return;
        }

        var record = _state.Records[index];
        var pid = record.Process?.Pid ?? 0;
        var faultText = fault is null ? "unknown" : $"{fault.GetType().Name}: {fault.Message}";
        var actor = terminated.ActorRef.Path.ToStringWithoutAddress();
        var window = _settings.Restart.MaxRestartsWindow;
        var now = _clock.GetTimestamp();
        var stops = _state.FaultStops.TryGetValue(index, out var known) ? known : _state.FaultStops[index] = new Queue<long>();
        while (stops.TryPeek(out var oldest) && _clock.GetElapsedTime(oldest, now) > window)
        {
            stops.Dequeue();
        }

        if (stops.Count >= MaxActorReplacements)
        {
            SupervisionLog.WorkerActorGivenUp(Logger, actor, window, faultText, pid, index);
            _state.Running.Remove(index);
            _events.Tell(new WorkerGaveUp(
                index,
                record.Incarnation,
                pid,
                new WorkerExit(-1, null),
                MaxActorReplacements,
                window,
                [$"Defuss's worker actor kept failing and was stopped {stops.Count + 1} times within {window}; the last fault: {faultText}", .. record.Process?.RecentErrorOutput ?? []]));
            HandleGaveUp(new WorkerGaveUpNotice(index));
        }
        else
        {
            stops.Enqueue(now);
            StartWorkerActor(index, ReplacementRecord(record, now));
            SupervisionLog.WorkerActorReplaced(Logger, actor, faultText, pid, index);
        }

        if (_state.Replacing == index)
        {
            HandleReplaced(new WorkerReplaced(index, Replaced: false));
        }
    }

    /// <summary>
    /// The record a replacement actor starts from: no process (the old actor's was killed), the incarnation numbers and the
    /// restart budget carried on. Its actor adopts it as an exited worker, and so starts a process after the backoff.
    /// </summary>
    private static WorkerRecord ReplacementRecord(WorkerRecord old, long now)
    {
        var fresh = new WorkerRecord
        {
            Incarnation = old.LastIssued,
            LastIssued = old.LastIssued,
            ConsecutiveFailures = old.ConsecutiveFailures + 1,
            State = WorkerState.Exited,
        };
        foreach (var restart in old.Restarts)
        {
            fresh.Restarts.Enqueue(restart);
        }

        fresh.Restarts.Enqueue(now);
        return fresh;
    }
}
