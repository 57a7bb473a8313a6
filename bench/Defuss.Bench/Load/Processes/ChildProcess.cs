using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Defuss.Bench.Load.Processes;

/// <summary>
/// A process the bench started, with its output kept (the last lines) and waited on line by line. Stopping it ends it
/// by pid, and with it every process below it that the bench has seen (a Defuss primary's workers, nginx's worker), each
/// checked by its start time so that a reused pid is never touched. Every instance is known to
/// <see cref="ProcessJanitor"/> until it is stopped, so that no path leaves one running.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>How long a process has to end after SIGTERM before it gets SIGKILL.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private const int KeptLines = 400;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentDictionary<int, ProcStat> _descendants = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ProcStat? _self;
    private int _streamsOpen = 2;
    private int _stopped;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        Pid = _process.Id;
        _self = ProcFs.ReadStat(Pid);
        ProcessJanitor.Add(this);
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private event Action<string>? LineWritten;

    /// <summary>What the process is, for messages (<c>nginx</c>, <c>handoff primary</c>).</summary>
    public string Name { get; }

    public int Pid { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines it wrote (stdout and stderr as they came), for a message about what went wrong.</summary>
    public string OutputTail => string.Join('\n', _lines);

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/>, every stream redirected.</summary>
    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (variable, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(variable);
            }
            else
            {
                start.Environment[variable] = value;
            }
        }

        return new ChildProcess(name, new Process { StartInfo = start });
    }

    /// <summary>Runs <paramref name="fileName"/> to its end; its exit code and output. Past <paramref name="timeout"/>, or when cancelled, it is stopped and this throws.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string name, string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        await using var process = Start(name, fileName, arguments, workingDirectory);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process._process.WaitForExitAsync(deadline.Token);
            // The streams end just after the exit; their last lines belong to the answer.
            await process._outputClosed.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{name} was still running after {timeout.TotalSeconds:0} s:\n{process.OutputTail}");
        }

        return (process._process.ExitCode, process.OutputTail);
    }

    /// <summary>Waits until <paramref name="count"/> lines have matched <paramref name="pattern"/> (counting those already written).</summary>
    public async Task WaitForLinesAsync(Regex pattern, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var found = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        void Check(string line)
        {
            if (pattern.IsMatch(line) && Interlocked.Increment(ref seen) >= count)
            {
                found.TrySetResult();
            }
        }

        LineWritten += Check;
        try
        {
            foreach (var line in _lines)
            {
                Check(line);
            }

            var exited = _process.WaitForExitAsync(cancellationToken);
            var first = await Task.WhenAny(found.Task, exited).WaitAsync(timeout, cancellationToken);
            if (first != found.Task)
            {
                throw new InvalidOperationException($"{Name} exited (code {_process.ExitCode}) before it wrote '{pattern}':\n{OutputTail}");
            }
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not write '{pattern}' {count} time(s) within {timeout.TotalSeconds:0} s:\n{OutputTail}");
        }
        finally
        {
            LineWritten -= Check;
        }
    }

    /// <summary>Notes the processes below this one now, so that stopping it also stops them even if they were orphaned by then.</summary>
    public void RememberDescendants()
    {
        // Read from /proc rather than the Process object, which a signal handler may meet already disposed.
        if (_self is null || !ProcFs.IsAlive(_self))
        {
            return;
        }

        foreach (var stat in ProcFs.ReadDescendants(Pid))
        {
            _descendants.TryAdd(stat.Pid, stat);
        }
    }

    /// <summary>
    /// Ends the process: SIGTERM, then SIGKILL after <see cref="StopGrace"/>; then SIGKILL to every process below it
    /// that is still alive, and waits (with a deadline) until they are gone.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        RememberDescendants();
        if (!_process.HasExited)
        {
            Posix.Kill(Pid, Posix.SIGTERM);
            try
            {
                await _process.WaitForExitAsync().WaitAsync(StopGrace);
            }
            catch (TimeoutException)
            {
                Posix.Kill(Pid, Posix.SIGKILL);
                await _process.WaitForExitAsync().WaitAsync(StopGrace);
            }
        }

        await KillDescendantsAsync();
        ProcessJanitor.Remove(this);
    }

    /// <summary>SIGKILL to the process and every process below it that the bench has seen, at once: for a bench that is being ended.</summary>
    public void KillNow()
    {
        RememberDescendants();
        if (_self is not null && ProcFs.IsAlive(_self))
        {
            Posix.Kill(Pid, Posix.SIGKILL);
        }

        foreach (var stat in _descendants.Values.Where(ProcFs.IsAlive))
        {
            Posix.Kill(stat.Pid, Posix.SIGKILL);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private async Task KillDescendantsAsync()
    {
        var left = _descendants.Values.Where(ProcFs.IsAlive).ToList();
        foreach (var stat in left)
        {
            Posix.Kill(stat.Pid, Posix.SIGKILL);
        }

        // Another process's end announces itself to its parent only: look at /proc until they are gone, with a deadline.
        var deadline = Stopwatch.StartNew();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        left.RemoveAll(stat => !ProcFs.IsAlive(stat));
        while (left.Count > 0)
        {
            if (deadline.Elapsed > StopGrace)
            {
                // A cleanup path: say so, and let whatever ended the run be the error that is reported.
                await Console.Error.WriteLineAsync($"warning: processes below {Name} (pid {Pid}) outlived SIGKILL: {string.Join(", ", left.Select(s => s.Pid))}");
                return;
            }

            await tick.WaitForNextTickAsync();
            left.RemoveAll(stat => !ProcFs.IsAlive(stat));
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _streamsOpen) == 0)
            {
                _outputClosed.TrySetResult();
            }

            return;
        }

        _lines.Enqueue(line);
        while (_lines.Count > KeptLines && _lines.TryDequeue(out _))
        {
        }

        LineWritten?.Invoke(line);
    }
}
