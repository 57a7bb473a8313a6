namespace Defuss.Actors;

internal sealed partial class ActorCell
{
    /// <summary>Each failing child's restarts within its strategy's window.</summary>
    private readonly Dictionary<ActorCell, ChildRestartStats> _restartStats = [];

    /// <summary>Children whose failure this actor escalated; they stay suspended until this actor's supervisor has decided.</summary>
    private readonly List<ActorCell> _escalated = [];
    private Exception? _pendingRestart;

    private void HandleChildFailure(ActorCell child, Exception cause)
    {
        lock (_children)
        {
            if (!_children.TryGetValue(child.Path.Name, out var known) || known != child)
            {
                return;
            }
        }

        if (_terminating || _stoppingChildren.Contains(child))
        {
            return;
        }

        if (!_restartStats.TryGetValue(child, out var stats))
        {
            _restartStats[child] = stats = new ChildRestartStats();
        }

        Directive directive;
        try
        {
            var strategy = _actor?.InvokeSupervisorStrategy() ?? SupervisorStrategy.DefaultStrategy;
            directive = strategy.Decide(stats, cause, System.TimeProvider.GetUtcNow());
        }
        catch (Exception decisionFailure)
        {
            KernelLog.DeciderFailed(System.Log, Path, decisionFailure);
            directive = Directive.Escalate;
        }

        if (directive == Directive.Escalate && _isGuardian)
        {
            directive = Directive.Stop;
        }

        KernelLog.ChildFailed(System.Log, child.Path, directive, cause);
        switch (directive)
        {
            case Directive.Resume:
                child.PostSystem(Resume.Instance);
                break;
            case Directive.Restart:
                child.PostSystem(new Restart(cause));
                break;
            case Directive.Stop:
                Stop(child.Self);
                break;
            default:
                _escalated.Add(child);
                Fail(cause, null);
                break;
        }
    }

    /// <summary>Resumes (after a restart of this actor: restarts) the live children whose failure this actor escalated.</summary>
    private void ReleaseEscalated(Exception? restartCause)
    {
        foreach (var child in _escalated)
        {
            if (IsChild(child) && !_stoppingChildren.Contains(child))
            {
                child.PostSystem(restartCause is null ? Resume.Instance : new Restart(restartCause));
            }
        }

        _escalated.Clear();
    }

    private void BeginRestart(Exception cause)
    {
        if (_terminating || _pendingRestart is not null)
        {
            return;
        }

        var failed = _actor;
        _actor = null;
        _pendingRestart = cause;
        if (failed is not null)
        {
            try
            {
                failed.InvokePreRestart(cause, _failedMessage);
            }
            catch (Exception exception)
            {
                KernelLog.HookFailed(System.Log, Path, "PreRestart", exception);
            }
        }

        // After PreRestart, so that a timer the failed instance armed in its hook dies with it too.
        _timers?.CancelAll();
        if (_stoppingChildren.Count == 0)
        {
            FinishRestart();
        }
    }

    private void FinishRestart()
    {
        var cause = _pendingRestart!;
        _pendingRestart = null;
        _failedMessage = null;
        _suspended = false;
        ReleaseEscalated(cause);
        CreateInstance(cause);
    }
}
