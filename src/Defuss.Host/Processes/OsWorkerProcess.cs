using System.ComponentModel;
using System.Diagnostics;
using Defuss.Actors.Workers;
using Microsoft.Extensions.Logging;

namespace Defuss.Processes;

/// <summary>
/// A started worker OS process: its exit, its output (both streams read at full speed, echoed and the last of its
/// standard error kept), and the signals that stop it. A worker leads its own process group (it makes itself the leader
/// at start), so a kill, and its exit, reach the processes it started too.
/// </summary>
internal sealed partial class OsWorkerProcess : IWorkerProcess
{
    /// <summary>How many bytes of a worker's last standard error lines are kept for its exit report: 64 KiB.</summary>
    internal const int RecentErrorBytes = 64 * 1024;

    private readonly Process _process;
    private readonly int _index;
    private readonly ILogger _logger;
    private readonly Telemetry.DefussMetrics? _metrics;
    private readonly RecentLines _recentErrors = new(RecentErrorBytes);
    private readonly WorkerLogBook? _logs;
    private readonly string _prefix;
    private readonly string _jsonLabel;

    // Once the process has exited its pid may belong to someone else: no signal may be sent any more, and the
    // Process may be disposed at any time.
    private readonly Lock _gate = new();
    private bool _exited;

    /// <summary>Takes ownership of <paramref name="process"/>, started with both its output streams redirected.</summary>
    public OsWorkerProcess(Process process, int index, WorkerOutputEcho echo, TimeSpan outputDrainTimeout, TimeProvider timeProvider, ILogger logger, Telemetry.DefussMetrics? metrics = null, WorkerLogBook? logs = null)
    {
        _process = process;
        _index = index;
        _logger = logger;
        _metrics = metrics;
        _logs = logs;
        Pid = process.Id;
        _prefix = WorkerLineLabel.Prefix(index, Pid);
        _jsonLabel = WorkerLineLabel.JsonProperties(index, Pid);
        var drained = Task.WhenAll(
            PumpAsync(process.StandardOutput.BaseStream, echo.Output, recent: null),
            PumpAsync(process.StandardError.BaseStream, echo.Error, _recentErrors));
        Exited = ObserveExitAsync(drained, outputDrainTimeout, timeProvider);
    }

    public int Pid { get; }

    public Task<WorkerExit> Exited { get; }

    public IReadOnlyList<string> RecentErrorOutput => _recentErrors.Snapshot();

    public void Terminate()
    {
        lock (_gate)
        {
            if (_exited || _process.HasExited)
            {
                return;
            }

            if (OperatingSystem.IsWindows())
            {
                KillProcess();
            }
            else if (!UnixSignals.TrySend(Pid, UnixSignals.SigTerm, out var errno))
            {
                ProcessLog.SignalFailed(_logger, "SIGTERM", Pid, _index, errno);
            }
        }
    }

    public void Kill()
    {
        lock (_gate)
        {
            if (!_exited)
            {
                KillGroup(exited: false);
                KillProcess();
            }
        }
    }

    private void KillProcess()
    {
        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (Win32Exception e)
        {
            ProcessLog.SignalFailed(_logger, "SIGKILL", Pid, _index, e.NativeErrorCode);
        }
    }

    private async Task<WorkerExit> ObserveExitAsync(Task drained, TimeSpan outputDrainTimeout, TimeProvider timeProvider)
    {
        await _process.WaitForExitAsync();
        WorkerExit exit;
        lock (_gate)
        {
            var exitCode = _process.ExitCode;
            exit = new WorkerExit(exitCode, OperatingSystem.IsWindows() ? null : UnixSignals.NameFromExitCode(exitCode));
            _exited = true;

            // What the worker started does not outlive it (and holds no pipe of its open): its group goes with it.
            KillGroup(exited: true);
        }

        // The pipes end only when every writer is gone, and a process that left the worker's group may keep them open for
        // as long as it lives: the exit is reported after a bounded wait for the last lines, and the reading goes on
        // (so its lines still reach the console) until the pipes end, when the Process is disposed.
        _ = drained.ContinueWith(static (_, process) => ((Process)process!).Dispose(), _process, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await drained.WaitAsync(outputDrainTimeout, timeProvider);
        }
        catch (TimeoutException)
        {
            ProcessLog.OutputStillOpen(_logger, Pid, _index, outputDrainTimeout);
        }

        ProcessLog.WorkerProcessExited(_logger, Pid, _index, exit);
        return exit;
    }

    /// <summary>
    /// Sends SIGKILL to the worker's process group, whose id is the worker's pid once it has made itself the leader (before
    /// that, or for a program that never does, there is no such group and nothing happens). That group is the worker's:
    /// before its exit is observed the pid is still the worker's, and after, the kernel does not give a pid to a new
    /// process while a group of that id has members (with none, there is nothing to signal, unless a new process took
    /// that very pid and made it its group in the microseconds between, which this accepts).
    /// </summary>
    private void KillGroup(bool exited)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (UnixSignals.TrySendToGroup(Pid, UnixSignals.SigKill, out var errno))
        {
            if (exited && errno == 0)
            {
                _metrics?.LeftoverProcessesKilled();
                ProcessLog.LeftoverProcessesKilled(_logger, Pid, _index);
            }
        }
        else
        {
            ProcessLog.SignalFailed(_logger, "SIGKILL (to its process group)", Pid, _index, errno);
        }
    }
}
