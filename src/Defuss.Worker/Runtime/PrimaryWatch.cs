using Defuss.Worker.Interop;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime;

/// <summary>
/// Makes sure a worker never outlives its primary, whatever its app is doing: a dedicated thread, started when the
/// worker is configured (before the app has built its host, let alone started the agent whose control channel would
/// notice the end too), waits for the primary to end. The primary is the worker's parent: the thread waits on a pidfd of
/// it (<c>pidfd_open</c> and <c>poll</c>; <c>PR_SET_PDEATHSIG</c> would follow the parent <i>thread</i>, and .NET's
/// threads come and go), or, where there is none, looks at <c>getppid</c> twice a second. When the primary is gone it
/// stops the app (if its host has started), and ends the process at once after <see cref="ExitGrace"/>, or at once if
/// there is no host to stop.
/// </summary>
internal sealed class PrimaryWatch
{
    /// <summary>How long the app may take to stop once its primary is gone: 10 s, as the primary's default drain.</summary>
    public static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(10);

    /// <summary>The exit code of a worker that the watch ended.</summary>
    public const int ExitCode = 1;

    /// <summary>How often the fallback looks at <c>getppid</c>.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly int _index;
    private readonly int _primaryPid;
    private readonly TimeSpan _exitGrace;
    private readonly Action<int> _exit;
    private readonly Func<int> _parentPid;
    private readonly TaskCompletionSource _primaryGone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IHostApplicationLifetime? _lifetime;
    private ILogger? _logger;

    /// <param name="index">The worker's index, for the log.</param>
    /// <param name="primaryPid">The primary's pid (from <c>DEFUSS_PRIMARY_PID</c>).</param>
    /// <param name="exitGrace">How long the app may take to stop before the process ends.</param>
    /// <param name="exit">Ends the process at once (<c>_exit</c>); tests record it instead.</param>
    /// <param name="parentPid">This process's parent (<c>getppid</c>); tests name another process.</param>
    internal PrimaryWatch(int index, int primaryPid, TimeSpan exitGrace, Action<int> exit, Func<int> parentPid)
    {
        _index = index;
        _primaryPid = primaryPid;
        _exitGrace = exitGrace;
        _exit = exit;
        _parentPid = parentPid;
    }

    /// <summary>How the watch learns of the primary's end: <c>pidfd</c>, <c>getppid polling</c>, or why it cannot.</summary>
    public string Method { get; private set; } = "starting";

    /// <summary>Completes when the watch has seen the primary end.</summary>
    public Task PrimaryGone => _primaryGone.Task;

    /// <summary>Starts watching <paramref name="primaryPid"/>, the parent of this worker process; <c>null</c> where it cannot be watched.</summary>
    public static PrimaryWatch? Start(int index, int primaryPid)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        return new PrimaryWatch(index, primaryPid, ExitGrace, LinuxProcesses.ExitNow, LinuxProcesses.GetParentPid).Run();
    }

    /// <summary>Starts the watching thread.</summary>
    internal PrimaryWatch Run()
    {
        new Thread(Watch) { IsBackground = true, Name = "Defuss primary watch" }.Start();
        return this;
    }

    /// <summary>The host has started: from now on the primary's end stops the app gracefully first, and is logged.</summary>
    public void Attach(IHostApplicationLifetime lifetime, ILogger logger)
    {
        Volatile.Write(ref _logger, logger);
        Volatile.Write(ref _lifetime, lifetime);
        var processGroup = LinuxProcesses.GetProcessGroup();
        WorkerLog.PrimaryWatchStarted(logger, _index, _primaryPid, Method, processGroup);
    }

    private void Watch()
    {
        WaitForPrimaryToEnd();
        _primaryGone.TrySetResult();
        var logger = Volatile.Read(ref _logger);
        if (logger is not null)
        {
            WorkerLog.PrimaryWatchSawPrimaryEnd(logger, _index, _primaryPid);
        }

        if (Volatile.Read(ref _lifetime) is { } lifetime)
        {
            lifetime.StopApplication();
            Thread.Sleep(_exitGrace);
            if (logger is not null)
            {
                WorkerLog.PrimaryWatchExiting(logger, _index, _exitGrace);
            }
        }

        _exit(ExitCode);
    }

    /// <summary>Blocks until the primary has ended: it is no longer this process's parent.</summary>
    private void WaitForPrimaryToEnd()
    {
        if (_parentPid() != _primaryPid)
        {
            Method = "the primary was gone before the watch began";
            return;
        }

        var pidfd = LinuxProcesses.PidfdOpen(_primaryPid);
        if (pidfd >= 0)
        {
            try
            {
                // Opened while the primary was still the parent: the pidfd is the primary's, not a later process's.
                if (_parentPid() != _primaryPid)
                {
                    return;
                }

                Method = "pidfd";
                int ready;
                while ((ready = LinuxProcesses.WaitReadable(pidfd)) < 0 && LinuxProcesses.LastError == LinuxProcesses.EIntr)
                {
                }

                if (ready > 0)
                {
                    return;
                }
            }
            finally
            {
                LinuxProcesses.Close(pidfd);
            }
        }

        Method = "getppid polling";
        while (_parentPid() == _primaryPid)
        {
            Thread.Sleep(PollInterval);
        }
    }
}
