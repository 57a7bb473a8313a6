namespace Defuss.Actors;

internal sealed partial class ActorCell
{
    /// <summary>Children by name; locked, because a guardian creates children from any thread.</summary>
    private readonly Dictionary<string, ActorCell> _children = new(StringComparer.Ordinal);

    /// <summary>Children this actor asked to stop; a restart waits for them.</summary>
    private readonly HashSet<ActorCell> _stoppingChildren = [];
    private bool _terminating;
    private long _nameCounter;

    public IReadOnlyCollection<IActorRef> Children
    {
        get
        {
            lock (_children)
            {
                return _children.Values.Select(c => c.Self).ToArray();
            }
        }
    }

    public IActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        ActorCell child;
        lock (_children)
        {
            if (_terminating || _stopped)
            {
                throw new InvalidOperationException($"{Path} is stopping and cannot start the child '{name}'.");
            }

            if (name is null)
            {
                name = "$" + (++_nameCounter).ToString(global::System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                ValidateName(name);
            }

            if (_children.ContainsKey(name))
            {
                throw new InvalidActorNameException($"An actor named '{name}' already exists under {Path}.");
            }

            child = new ActorCell(System, props, this, Path.Child(name));
            _children.Add(name, child);
        }

        child.Start();
        return child.Self;
    }

    public IActorRef? Child(string name)
    {
        lock (_children)
        {
            return _children.TryGetValue(name, out var child) ? child.Self : null;
        }
    }

    public void Stop(IActorRef actor)
    {
        var cell = Resolve(actor);
        if (cell is null)
        {
            return;
        }

        if (cell == this)
        {
            PostSystem(Terminate.Instance);
        }
        else if (cell._parent == this)
        {
            // A child already removed has stopped: a restart or a stop must not wait for it.
            if (IsChild(cell))
            {
                _stoppingChildren.Add(cell);
            }

            cell.PostSystem(Terminate.Instance);
        }
        else
        {
            throw new InvalidOperationException($"{Path} can stop itself and its children, not {cell.Path}.");
        }
    }

    internal static ActorCell? Resolve(IActorRef actor) => actor switch
    {
        LocalActorRef local => local.Cell,
        IHasLocalRef wrapper => wrapper.LocalRef.Cell,
        _ => null,
    };

    private static void ValidateName(string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.StartsWith('$'))
        {
            throw new InvalidActorNameException(
                $"Actor name '{name}' is invalid: it must be non-empty, contain no '/' and not start with '$'.");
        }
    }

    private bool IsChild(ActorCell cell)
    {
        lock (_children)
        {
            return _children.TryGetValue(cell.Path.Name, out var known) && known == cell;
        }
    }

    private void HandleChildTerminated(ActorCell child)
    {
        bool empty;
        lock (_children)
        {
            if (_children.TryGetValue(child.Path.Name, out var known) && known == child)
            {
                _children.Remove(child.Path.Name);
            }

            empty = _children.Count == 0;
        }

        _stoppingChildren.Remove(child);
        _restartStats.Remove(child);
        HandleDeathWatchNotification(child.Self);
        if (_terminating)
        {
            if (empty)
            {
                FinishTerminate();
            }
        }
        else if (_pendingRestart is not null && _stoppingChildren.Count == 0)
        {
            FinishRestart();
        }
    }

    private void BeginTerminate()
    {
        if (_terminating)
        {
            return;
        }

        ActorCell[] children;
        lock (_children)
        {
            _terminating = true;
            children = [.. _children.Values];
        }

        _suspended = true;
        foreach (var child in children)
        {
            _stoppingChildren.Add(child);
            child.PostSystem(Terminate.Instance);
        }

        if (children.Length == 0)
        {
            FinishTerminate();
        }
    }

    private void FinishTerminate()
    {
        _timers?.CancelAll();
        var actor = _actor;
        _actor = null;
        if (actor is not null)
        {
            try
            {
                actor.InvokePostStop();
            }
            catch (Exception exception)
            {
                KernelLog.HookFailed(System.Log, Path, "PostStop", exception);
            }
        }

        Volatile.Write(ref _stopped, true);
        _mailbox.Writer.TryComplete();
        while (_stash.TryDequeue(out var stashed))
        {
            System.DeadLetter(stashed.Message, stashed.Sender, Self);
        }

        while (_mailbox.Reader.TryRead(out var envelope))
        {
            if (!ReferenceEquals(envelope.Message, SystemWake))
            {
                System.DeadLetter(envelope.Message, envelope.Sender, Self);
            }
        }

        NotifyWatchers();
        _parent?.PostSystem(new ChildTerminated(this));
        _terminated.TrySetResult();
    }
}
