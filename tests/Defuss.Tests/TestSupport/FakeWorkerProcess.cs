using Defuss.Actors.Workers;

namespace Defuss.Tests.TestSupport;

/// <summary>A worker process that a test drives: it exits when the test says so (or when it is killed).</summary>
internal sealed class FakeWorkerProcess(int pid, WorkerLaunchRequest request) : IWorkerProcess
{
    private readonly TaskCompletionSource<WorkerExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Pid { get; } = pid;

    public WorkerLaunchRequest Request { get; } = request;

    public Task<WorkerExit> Exited => _exited.Task;

    public List<string> ErrorOutput { get; } = [];

    public IReadOnlyList<string> RecentErrorOutput => ErrorOutput;

    public int TerminateCalls { get; private set; }

    public int KillCalls { get; private set; }

    public bool HasExited => _exited.Task.IsCompleted;

    public void Terminate() => TerminateCalls++;

    public void Kill()
    {
        KillCalls++;
        _exited.TrySetResult(new WorkerExit(137, "SIGKILL"));
    }

    /// <summary>The process exits by itself with <paramref name="code"/>.</summary>
    public void Exit(int code) => _exited.TrySetResult(new WorkerExit(code, null));
}

/// <summary>Hands out <see cref="FakeWorkerProcess"/>es and lets the test wait for each launch.</summary>
internal sealed class FakeWorkerProcessLauncher : IWorkerProcessLauncher
{
    private readonly System.Threading.Channels.Channel<FakeWorkerProcess> _launched =
        System.Threading.Channels.Channel.CreateUnbounded<FakeWorkerProcess>();

    private int _nextPid = 1000;

    /// <summary>When set, the next launch throws this.</summary>
    public Exception? FailNextLaunch { get; set; }

    public IWorkerProcess Launch(WorkerLaunchRequest request)
    {
        if (FailNextLaunch is { } failure)
        {
            FailNextLaunch = null;
            throw failure;
        }

        var process = new FakeWorkerProcess(Interlocked.Increment(ref _nextPid), request);
        _launched.Writer.TryWrite(process);
        return process;
    }

    /// <summary>The next process launched, waiting up to 10 s of real time.</summary>
    public async Task<FakeWorkerProcess> NextLaunchAsync() =>
        await _launched.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Whether a launch is waiting to be taken.</summary>
    public bool HasPendingLaunch => _launched.Reader.TryPeek(out _);
}

/// <summary>A control session that records what the worker actor asked of it.</summary>
internal sealed class FakeControlSession : Defuss.Actors.Workers.IWorkerControlSession
{
    public List<TimeSpan> Stops { get; } = [];

    public bool Closed { get; private set; }

    /// <summary>When set, SendStop throws it: a fault inside the worker actor's handler.</summary>
    public Exception? FailOnStop { get; set; }

    public void SendStop(TimeSpan deadline)
    {
        Stops.Add(deadline);
        if (FailOnStop is { } failure)
        {
            FailOnStop = null;
            throw failure;
        }
    }

    public void Close() => Closed = true;
}
