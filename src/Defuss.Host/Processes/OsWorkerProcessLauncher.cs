using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Defuss.Actors.Workers;
using Defuss.Telemetry;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Logging;

namespace Defuss.Processes;

/// <summary>
/// Starts worker processes from one command line (in production <see cref="WorkerCommandLine.Current"/>): same
/// working directory, the primary's environment plus the request's and the primary's pid (which the worker watches),
/// standard input closed, standard output and error both read by the primary and echoed through
/// <see cref="WorkerOutputEcho"/> (to the primary's own by default), the last error lines kept for the exit report.
/// </summary>
internal sealed class OsWorkerProcessLauncher : IWorkerProcessLauncher
{
    private readonly WorkerCommandLine _command;
    private readonly ILogger<OsWorkerProcessLauncher> _logger;
    private readonly WorkerOutputEcho _echo;
    private readonly DefussMetrics? _metrics;
    private readonly TimeProvider _timeProvider;

    public OsWorkerProcessLauncher(
        WorkerCommandLine command,
        ILogger<OsWorkerProcessLauncher> logger,
        WorkerOutputEcho? echo = null,
        DefussMetrics? metrics = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(logger);
        _command = command;
        _logger = logger;
        _metrics = metrics;
        _echo = echo ?? WorkerOutputEcho.ToConsole(logger, metrics);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>A launcher whose workers' standard error is echoed to <paramref name="errorEcho"/>, and standard output nowhere (tests).</summary>
    public OsWorkerProcessLauncher(WorkerCommandLine command, ILogger<OsWorkerProcessLauncher> logger, TextWriter errorEcho)
        : this(command, logger, new WorkerOutputEcho(TextWriter.Null, errorEcho, logger))
    {
    }

    /// <summary>The lane to the primary's own standard error that the workers' error output goes through.</summary>
    public OutputEchoLane ErrorEcho => _echo.Error;

    /// <summary>Where the workers' lines are kept for <c>/logs</c>, if anywhere.</summary>
    public WorkerLogBook? Logs { get; init; }

    /// <summary>How long an exited process's output may stay open before its exit is reported anyway.</summary>
    public TimeSpan OutputDrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public IWorkerProcess Launch(WorkerLaunchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var startInfo = _command.ToStartInfo();

        // Redirected and closed below: a worker must not compete with the primary for the terminal's input.
        startInfo.RedirectStandardInput = true;

        // Both read by the primary at full speed, so that a worker never blocks on a full pipe (or on the primary's console).
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        foreach (var (name, value) in request.Environment)
        {
            startInfo.Environment[name] = value;
        }

        // systemd's variables are the primary's: a worker that notified or took the listening sockets would confuse it.
        foreach (var variable in Hosting.SystemdNotifier.Variables)
        {
            startInfo.Environment.Remove(variable);
        }

        // A primary started for a hand-over keeps the old primary's socket in its environment; its workers have no use for it.
        startInfo.Environment.Remove(Upgrade.SuccessorEnvironment.SocketVariable);

        startInfo.Environment[WorkerEnvironment.PrimaryPid] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            var reason = new Win32Exception(e.NativeErrorCode).Message;
            throw new InvalidOperationException($"Cannot start worker {request.Index}: '{_command}' did not start in {Environment.CurrentDirectory}: {reason}", e);
        }

        process.StandardInput.Close();
        var worker = new OsWorkerProcess(process, request.Index, _echo, OutputDrainTimeout, _timeProvider, _logger, _metrics, Logs);
        ProcessLog.WorkerProcessStarted(_logger, request.Index, request.Incarnation, worker.Pid, _command);
        return worker;
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the workers' output read so far to reach the primary's own, and
    /// reports what was dropped: the primary calls it last, once its workers have exited.
    /// </summary>
    public Task FlushOutputAsync(TimeSpan timeout) => _echo.FlushAsync(timeout);
}
