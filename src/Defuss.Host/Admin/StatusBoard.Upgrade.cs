using Defuss.Hosting;

namespace Defuss.Admin;

// What /status says of hand-overs: this primary's own (to a new one), and the one it took over from.
internal sealed partial class StatusBoard
{
    private UpgradeStatus _upgrade = UpgradeStatus.Idle;
    private Func<int>? _successorPid;
    private int _predecessorPid;
    private Func<int, bool> _alive = Processes.UnixSignals.Exists;

    /// <summary>This primary's hand-over as it stands.</summary>
    public UpgradeStatus Upgrade
    {
        get
        {
            lock (_gate)
            {
                return CurrentUpgrade();
            }
        }
    }

    /// <summary>A hand-over is in <paramref name="state"/>; <paramref name="successorPid"/> reads the new primary's pid (0 until it starts).</summary>
    public void SetUpgrade(string state, Func<int> successorPid)
    {
        lock (_gate)
        {
            _upgrade = _upgrade with { State = state };
            _successorPid = successorPid;
        }
    }

    /// <summary>The hand-over failed: this primary is idle again, and the failure is kept for <c>/status</c>.</summary>
    public void SetUpgradeFailed(int successorPid, string failure)
    {
        lock (_gate)
        {
            _upgrade = new UpgradeStatus("idle", null, successorPid > 0 ? $"new primary {successorPid}: {failure}" : failure, _time.GetUtcNow());
            _successorPid = null;
        }
    }

    /// <summary>This primary took over from <paramref name="pid"/>, listed as draining while that process lives.</summary>
    public void SetPredecessor(int pid)
    {
        lock (_gate)
        {
            _predecessorPid = pid;
        }
    }

    /// <summary>For tests: how the board tells whether the predecessor still runs.</summary>
    internal void WatchProcessesWith(Func<int, bool> alive) => _alive = alive;

    /// <summary>Under the lock.</summary>
    private UpgradeStatus CurrentUpgrade() =>
        _successorPid?.Invoke() is { } pid and > 0 ? _upgrade with { SuccessorPid = pid } : _upgrade;

    /// <summary>Under the lock: the predecessor while it still runs.</summary>
    private PredecessorStatus? CurrentPredecessor() =>
        _predecessorPid > 0 && _alive(_predecessorPid) ? new PredecessorStatus(_predecessorPid, "draining") : null;
}
