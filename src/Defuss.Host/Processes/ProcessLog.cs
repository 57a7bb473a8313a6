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

    [LoggerMessage(EventId = HostEventIds.ErrorOutputStillOpen, Level = LogLevel.Warning, Message = "Standard error of process {Pid} of worker {Index} was still open {Timeout} after the process exited (a process it started may hold it); its exit is reported now and its output is still copied")]
    public static partial void ErrorOutputStillOpen(ILogger logger, int pid, int index, TimeSpan timeout);

    [LoggerMessage(EventId = HostEventIds.ErrorOutputFailed, Level = LogLevel.Warning, Message = "Reading the standard error of process {Pid} of worker {Index} failed")]
    public static partial void ErrorOutputFailed(ILogger logger, int pid, int index, Exception exception);
}
