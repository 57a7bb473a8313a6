using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Defuss.Actors.Workers;
using Microsoft.Extensions.Logging;

namespace Defuss.Processes;

/// <summary>
/// Starts worker processes from one command line (in production <see cref="WorkerCommandLine.Current"/>): same
/// working directory, the primary's environment plus the request's, standard output shared with the primary,
/// standard error copied to <c>errorEcho</c> (the primary's by default) and kept for the exit report.
/// </summary>
internal sealed class OsWorkerProcessLauncher : IWorkerProcessLauncher
{
    private readonly WorkerCommandLine _command;
    private readonly ILogger<OsWorkerProcessLauncher> _logger;
    private readonly TextWriter _errorEcho;
    private readonly TimeProvider _timeProvider;

    public OsWorkerProcessLauncher(WorkerCommandLine command, ILogger<OsWorkerProcessLauncher> logger, TextWriter? errorEcho = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(logger);
        _command = command;
        _logger = logger;
#pragma warning disable RS0030 // TODO(issue 12): the workers' output goes through a bounded writer instead.
        _errorEcho = errorEcho ?? Console.Error;
#pragma warning restore RS0030
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long an exited process's standard error may stay open before its exit is reported anyway.</summary>
    public TimeSpan ErrorDrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public IWorkerProcess Launch(WorkerLaunchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var startInfo = _command.ToStartInfo();

        // Redirected and closed below: a worker must not compete with the primary for the terminal's input.
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardError = true;
        startInfo.StandardErrorEncoding = Encoding.UTF8;
        foreach (var (name, value) in request.Environment)
        {
            startInfo.Environment[name] = value;
        }

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
        var worker = new OsWorkerProcess(process, request.Index, _errorEcho, ErrorDrainTimeout, _timeProvider, _logger);
        ProcessLog.WorkerProcessStarted(_logger, request.Index, request.Incarnation, worker.Pid, _command);
        return worker;
    }
}
