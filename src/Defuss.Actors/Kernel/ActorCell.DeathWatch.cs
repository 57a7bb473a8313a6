namespace Defuss.Actors;

internal sealed partial class ActorCell
{
    /// <summary>Who hears of this actor's end; closed (and emptied) once it has stopped.</summary>
    private readonly HashSet<IWatcher> _watchers = [];
    private bool _watchersClosed;

    /// <summary>Actors this one watches (loop only).</summary>
    private readonly HashSet<IActorRef> _watching = [];

    /// <summary>Subjects whose <see cref="Terminated"/> is in the mailbox and not yet handled (loop only).</summary>
    private readonly HashSet<IActorRef> _terminatedQueued = [];

    public IActorRef Watch(IActorRef subject)
    {
        var cell = Resolve(subject);
        if (cell is null || cell == this || !_watching.Add(cell.Self))
        {
            return subject;
        }

        cell.AddWatcher(this);
        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        var cell = Resolve(subject);
        if (cell is null)
        {
            return subject;
        }

        _watching.Remove(cell.Self);
        _terminatedQueued.Remove(cell.Self);
        cell.RemoveWatcher(this);
        return subject;
    }

    /// <summary>Adds a watcher; if this actor has already stopped, the watcher hears of it at once.</summary>
    internal void AddWatcher(IWatcher watcher)
    {
        lock (_watchers)
        {
            if (!_watchersClosed)
            {
                _watchers.Add(watcher);
                return;
            }
        }

        watcher.WatchedTerminated(Self);
    }

    internal void RemoveWatcher(IWatcher watcher)
    {
        lock (_watchers)
        {
            _watchers.Remove(watcher);
        }
    }

    void IWatcher.WatchedTerminated(IActorRef subject) => PostSystem(new DeathWatchNotification(subject));

    private void NotifyWatchers()
    {
        IWatcher[] watchers;
        lock (_watchers)
        {
            _watchersClosed = true;
            watchers = [.. _watchers];
            _watchers.Clear();
        }

        foreach (var watcher in watchers)
        {
            watcher.WatchedTerminated(Self);
        }
    }

    /// <summary>Queues one <see cref="Terminated"/> behind the messages the subject sent before it stopped.</summary>
    private void HandleDeathWatchNotification(IActorRef subject)
    {
        // A child's Terminated waits for its ChildTerminated, so that the handler finds its name free again.
        if (Resolve(subject) is { } cell && cell._parent == this && IsChild(cell))
        {
            return;
        }

        if (_watching.Remove(subject))
        {
            _terminatedQueued.Add(subject);
            _mailbox.Writer.TryWrite(new Envelope(new Terminated(subject), subject));
        }
    }
}
