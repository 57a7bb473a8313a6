namespace Defuss.Actors.Workers;

/// <summary>One running worker OS process, as the WorkerActor that owns it sees it.</summary>
internal interface IWorkerProcess
{
    /// <summary>The process id.</summary>
    int Pid { get; }

    /// <summary>Completes when the process has exited.</summary>
    Task<WorkerExit> Exited { get; }

    /// <summary>The last lines the process wrote to its standard error, oldest first.</summary>
    IReadOnlyList<string> RecentErrorOutput { get; }

    /// <summary>Asks the process to stop (SIGTERM on Unix); the app shuts down gracefully.</summary>
    void Terminate();

    /// <summary>Kills the process at once (SIGKILL on Unix). Does nothing if it has exited.</summary>
    void Kill();
}

/// <summary>How a worker process ended: its exit code, and the signal that ended it, if one did.</summary>
public sealed record WorkerExit(int ExitCode, string? Signal)
{
    /// <summary><c>exit code N</c>, or <c>signal NAME</c> when a signal ended the process.</summary>
    public override string ToString() => Signal is null ? "exit code " + ExitCode : "signal " + Signal;
}

/// <summary>Starts worker processes. The real one re-executes the primary's own command line; tests fake it.</summary>
internal interface IWorkerProcessLauncher
{
    /// <summary>Starts worker <paramref name="request"/>.Index; throws if the process cannot be started.</summary>
    IWorkerProcess Launch(WorkerLaunchRequest request);
}

/// <summary>What a new worker process needs: who it is and its environment (the <c>DEFUSS_*</c> variables and the user's WorkerEnv).</summary>
internal sealed record WorkerLaunchRequest(int Index, long Incarnation, IReadOnlyDictionary<string, string> Environment);
