using System.ComponentModel;
using System.Diagnostics;
using Defuss.Actors.Workers;
using Microsoft.Extensions.Logging;

namespace Defuss.Processes;

/// <summary>A started worker OS process: its exit, its recent standard error, and the signals that stop it.</summary>
internal sealed class OsWorkerProcess : IWorkerProcess
{
    internal const int RecentErrorLineCount = 50;

    private readonly Process _process;
    private readonly int _index;
    private readonly TextWriter _errorEcho;
    private readonly ILogger _logger;
    private readonly RecentLines _recentErrors = new(RecentErrorLineCount);

    // Once the process has exited its pid may belong to someone else: no signal may be sent any more, and the
    // Process may be disposed at any time.
    private readonly Lock _gate = new();
    private bool _exited;

    /// <summary>Takes ownership of <paramref name="process"/>, started with its standard error redirected.</summary>
    public OsWorkerProcess(Process process, int index, TextWriter errorEcho, TimeSpan errorDrainTimeout, TimeProvider timeProvider, ILogger logger)
    {
        _process = process;
        _index = index;
        _errorEcho = errorEcho;
        _logger = logger;
        Pid = process.Id;
        var drained = CopyErrorOutputAsync(process.StandardError);
        Exited = ObserveExitAsync(drained, errorDrainTimeout, timeProvider);
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

    private async Task CopyErrorOutputAsync(StreamReader errorOutput)
    {
        try
        {
            while (await errorOutput.ReadLineAsync() is { } line)
            {
                _recentErrors.Add(line);
                _errorEcho.WriteLine(line);
            }
        }
        catch (Exception e)
        {
            ProcessLog.ErrorOutputFailed(_logger, Pid, _index, e);
        }
    }

    private async Task<WorkerExit> ObserveExitAsync(Task drained, TimeSpan errorDrainTimeout, TimeProvider timeProvider)
    {
        await _process.WaitForExitAsync();
        WorkerExit exit;
        lock (_gate)
        {
            var exitCode = _process.ExitCode;
            exit = new WorkerExit(exitCode, OperatingSystem.IsWindows() ? null : UnixSignals.NameFromExitCode(exitCode));
            _exited = true;
        }

        // The pipe ends only when every writer is gone, and a grandchild that inherited it may keep it open for
        // as long as it lives: the exit is reported after a bounded wait for the last lines, and the copy goes on
        // (so a grandchild's lines still reach the console) until the pipe ends, when the Process is disposed.
        _ = drained.ContinueWith(static (_, process) => ((Process)process!).Dispose(), _process, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await drained.WaitAsync(errorDrainTimeout, timeProvider);
        }
        catch (TimeoutException)
        {
            ProcessLog.ErrorOutputStillOpen(_logger, Pid, _index, errorDrainTimeout);
        }

        ProcessLog.WorkerProcessExited(_logger, Pid, _index, exit);
        return exit;
    }
}
