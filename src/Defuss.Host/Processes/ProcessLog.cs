using Defuss.Actors.Workers;
using Microsoft.Extensions.Logging;

namespace Defuss.Processes;

/// <summary>The process launcher's log messages; event ids are listed in <see cref="HostEventIds"/>.</summary>
internal static partial class ProcessLog
{
    [LoggerMessage(EventId = HostEventIds.WorkerProcessStarted, Level = LogLevel.Debug, Message = "Started worker {Index} (incarnation {Incarnation}) as process {Pid}: {Command}")]
    public static partial void WorkerProcessStarted(ILogger logger, int index, long incarnation, int pid, WorkerCommandLine command);

    [LoggerMessage(EventId = HostEventIds.WorkerProcessExited, Level = LogLevel.Debug, Message = "Process {Pid} of worker {Index} ended with {Exit}")]
    public static partial void WorkerProcessExited(ILogger logger, int pid, int index, WorkerExit exit);

    [LoggerMessage(EventId = HostEventIds.SignalFailed, Level = LogLevel.Warning, Message = "Could not send {Signal} to process {Pid} of worker {Index}: errno {Errno}")]
    public static partial void SignalFailed(ILogger logger, string signal, int pid, int index, int errno);

    [LoggerMessage(EventId = HostEventIds.ErrorOutputStillOpen, Level = LogLevel.Warning, Message = "The output of process {Pid} of worker {Index} was still open {Timeout} after the process exited (a process it started, outside its process group, may hold it); its exit is reported now and its output is still read")]
    public static partial void OutputStillOpen(ILogger logger, int pid, int index, TimeSpan timeout);

    [LoggerMessage(EventId = HostEventIds.ErrorOutputFailed, Level = LogLevel.Warning, Message = "Reading the {Stream} of process {Pid} of worker {Index} failed")]
    public static partial void OutputFailed(ILogger logger, string stream, int pid, int index, Exception exception);

    [LoggerMessage(EventId = HostEventIds.WorkerOutputDropped, Level = LogLevel.Warning, Message = "{Lines} lines of the workers' {Stream} were not echoed: the primary's own {Stream} did not keep up (a slow console, or a pipe nobody reads) and the echo's queue was full (at most one such line every {IntervalSeconds} s; each worker's last error lines are still kept for its exit report)")]
    public static partial void WorkerOutputDropped(ILogger logger, long lines, string stream, long intervalSeconds);

    [LoggerMessage(EventId = HostEventIds.LeftoverProcessesKilled, Level = LogLevel.Warning, Message = "Process {Pid} of worker {Index} exited and left processes in its process group; they were killed")]
    public static partial void LeftoverProcessesKilled(ILogger logger, int pid, int index);
}
