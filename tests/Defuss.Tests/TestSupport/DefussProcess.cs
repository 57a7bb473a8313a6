using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A sample (the Showcase unless a test names another) run for real as a Defuss primary, which starts its own worker
/// processes, on 127.0.0.1 and a port the OS picks. Disposing it stops the primary and kills, by pid, any process it
/// started that is still alive.
/// </summary>
internal sealed partial class DefussProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Loopback only, a port the OS picks, two workers.</summary>
    private static readonly string[] DefaultSettings = ["--Defuss:Host=127.0.0.1", "--Defuss:Port=0", "--Defuss:Workers=2"];

    /// <summary>A setting of the tests' own, never passed on: leave Defuss:Host and Defuss:Port unset, so that ASP.NET's URL settings apply.</summary>
    public const string AspNetEndpoints = "(no Defuss:Host or Defuss:Port)";

    /// <summary>
    /// For a test whose routing reads the request head: the front door waits up to 5 s for it instead of 10 ms, so that a
    /// test client the loaded machine delays between its connect and its write is not routed without its head.
    /// </summary>
    public const string PatientInspection = "--Defuss:RequestInspectionTimeout=00:00:05";

    private readonly Process _primary;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentDictionary<int, int> _workerPids = new();
    private readonly ConcurrentDictionary<int, int> _successorPids = new();
    private string? _privateDirectory;
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private event Action<string>? LineWritten;

    private DefussProcess(Process primary)
    {
        _primary = primary;

        // A directory of its own for the primary's admin socket: found at once, and gone with the test.
        AdminDirectory = Directory.CreateTempSubdirectory("dfa-").FullName;
        primary.StartInfo.Environment[AdminDirectoryVariable] = AdminDirectory;
    }

    /// <summary>The variable that tells a primary (and the <c>defuss</c> tool) where admin sockets live.</summary>
    public const string AdminDirectoryVariable = "DEFUSS_ADMIN_DIR";

    /// <summary>Where this primary keeps its local admin socket.</summary>
    public string AdminDirectory { get; }

    /// <summary>This primary's local admin socket.</summary>
    public string AdminSocket => Path.Combine(AdminDirectory, $"primary-{Pid}.sock");

    /// <summary>A client for this primary's admin endpoint, over its local admin socket.</summary>
    public HttpClient AdminClient() => AdminHttp.ForSocket(AdminSocket);

    public int Pid => _primary.Id;

    public int Port { get; private set; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>A client for the admin endpoint of primary <paramref name="pid"/> (a new primary after a hand-over), over its local admin socket.</summary>
    public HttpClient AdminClientFor(int pid) => AdminHttp.ForSocket(Path.Combine(AdminDirectory, $"primary-{pid}.sock"));

    /// <summary>The new primaries hand-overs have started (they write to the same output): killed with this one at the end.</summary>
    public IReadOnlyCollection<int> SuccessorPids => _successorPids.Keys.ToArray();

    /// <summary>Every worker pid the primary has logged as started.</summary>
    public IReadOnlyCollection<int> WorkerPids => _workerPids.Keys.ToArray();

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>The path of the built Showcase sample.</summary>
    public static string ShowcasePath => SamplePath("ShowcasePath");

    /// <summary>The path of the built Hello sample (.NET's default console logging).</summary>
    public static string HelloPath => SamplePath("HelloPath");

    /// <summary>The path of the built Akka.Hosting sample.</summary>
    public static string AkkaSamplePath => SamplePath("AkkaSamplePath");

    /// <summary>Starts the Showcase with 2 workers plus <paramref name="settings"/> (<c>--Key=Value</c> arguments) and waits until it listens.</summary>
    public static Task<DefussProcess> StartAsync(params string[] settings) => StartAppAsync(ShowcasePath, settings);

    /// <summary>Starts the app at <paramref name="appPath"/> with 2 workers plus <paramref name="settings"/> and waits until it listens.</summary>
    public static Task<DefussProcess> StartAppAsync(string appPath, params string[] settings) => StartAppAsync(appPath, descriptorLimit: null, settings);

    /// <summary>Starts the app at <paramref name="appPath"/> as <see cref="StartAppAsync(string, string[])"/> does, with <paramref name="environment"/> added to its environment.</summary>
    public static Task<DefussProcess> StartAppAsync(string appPath, IReadOnlyDictionary<string, string> environment, params string[] settings) =>
        StartAppAsync(appPath, descriptorLimit: null, settings, environment);

    /// <summary>
    /// Starts the Showcase as <see cref="StartAsync"/> does, under a limit of <paramref name="descriptorLimit"/> open
    /// descriptors (soft and hard, set with <c>prlimit</c>; its workers inherit it).
    /// </summary>
    public static Task<DefussProcess> StartWithDescriptorLimitAsync(int descriptorLimit, params string[] settings) =>
        StartAppAsync(ShowcasePath, descriptorLimit, settings);

    /// <summary>
    /// Starts the Showcase as systemd's socket activation would: <paramref name="listening"/> (a socket the test made, which
    /// listens) is its descriptor 3, with <c>LISTEN_FDS=1</c> and <c>LISTEN_PID</c> its own pid (set by bash, which then
    /// executes dotnet in its place).
    /// </summary>
    public static Task<DefussProcess> StartWithSystemdSocketAsync(System.Net.Sockets.Socket listening, params string[] settings) =>
        StartAppAsync(ShowcasePath, descriptorLimit: null, settings, environment: null, listening);

    private static async Task<DefussProcess> StartAppAsync(
        string appPath, int? descriptorLimit, string[] settings, IReadOnlyDictionary<string, string>? environment = null, System.Net.Sockets.Socket? systemdSocket = null)
    {
        var process = Launch(appPath, settings, descriptorLimit, environment, systemdSocket);
        try
        {
            var listening = await process._listening.Task.WaitAsync(StartTimeout);
            process.Port = listening;
            return process;
        }
        catch (Exception exception)
        {
            await process.DisposeAsync();
            throw new InvalidOperationException($"{Path.GetFileName(appPath)} did not start listening: {exception.Message}{Environment.NewLine}{process.Output}", exception);
        }
    }

    /// <summary>Runs the Showcase with <paramref name="settings"/> until it exits by itself; returns its exit code.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] settings)
    {
        await using var process = Launch(ShowcasePath, settings);
        await process._primary.WaitForExitAsync().WaitAsync(StartTimeout);
        await process._outputClosed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return (process._primary.ExitCode, process.Output);
    }

    /// <summary>Waits until a line matching <paramref name="pattern"/> has been written (or is already there).</summary>
    public Task<Match> WaitForLineAsync(string pattern, TimeSpan? timeout = null) => WaitForLineCountAsync(pattern, 1, timeout);

    /// <summary>
    /// Waits (up to a minute: the new primary starts its workers first) for this primary's line that a hand-over failed;
    /// returns the new primary's pid and the reason.
    /// </summary>
    public async Task<(int Successor, string Reason)> WaitForHandOverFailureAsync()
    {
        var failed = await WaitForLineAsync(@"Hand-over failed; primary \d+ serves on. The new primary \(pid (\d+)\) did not take over: (.*)", TimeSpan.FromSeconds(60));
        return (int.Parse(failed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), failed.Groups[2].Value);
    }

    /// <summary>Waits until <paramref name="count"/> lines matching <paramref name="pattern"/> have been written; returns the last.</summary>
    public async Task<Match> WaitForLineCountAsync(string pattern, int count, TimeSpan? timeout = null)
    {
        var regex = new Regex(pattern);
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        void Check(string line)
        {
            if (regex.Match(line) is { Success: true } match && Interlocked.Increment(ref seen) >= count)
            {
                found.TrySetResult(match);
            }
        }

        LineWritten += Check;
        try
        {
            foreach (var line in _output)
            {
                // Kept with the stream it came on ("out| ", "err| "); matched as it was written.
                Check(line[5..]);
            }

            return await found.Task.WaitAsync(timeout ?? StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Fewer than {count} output lines matched '{pattern}'.{Environment.NewLine}{Output}");
        }
        finally
        {
            LineWritten -= Check;
        }
    }

    /// <summary>Waits until both workers of a fresh start are ready; returns their pids.</summary>
    public async Task<(int Worker0, int Worker1)> ReadyPidsAsync()
    {
        var ready0 = await WaitForLineAsync(@"Worker 0 ready: pid (\d+)");
        var ready1 = await WaitForLineAsync(@"Worker 1 ready: pid (\d+)");
        return (int.Parse(ready0.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(ready1.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Sends <paramref name="signal"/> to the primary and waits for it to exit; returns its exit code.</summary>
    public Task<int> SignalAndWaitAsync(int signal, TimeSpan timeout)
    {
        Native.Kill(_primary.Id, signal);
        return WaitForExitAsync(timeout);
    }

    /// <summary>Waits for the primary to exit (after a signal sent with <see cref="Native.Kill"/>); returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        // The process, not its output: a new primary that a hand-over started writes to the same pipes after this one exits.
        var deadline = DateTime.UtcNow + timeout;
        while (!_primary.HasExited)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The primary {Pid} did not exit within {timeout}.{Environment.NewLine}{Output}");
            }

            await Native.ProcessExitPollAsync();
        }

        if (SuccessorPids.Count == 0)
        {
            // And for the end of its output, so that every line it wrote is in Output. A new primary that a hand-over
            // started holds the same pipes and goes on writing after this one exits: then only the exit is waited for.
            try
            {
                await _outputClosed.Task.WaitAsync(deadline - DateTime.UtcNow + TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                // A process it started still holds the pipes: what the test needs of its output, it waits for by line.
            }
        }

        return _primary.ExitCode;
    }

    /// <summary>Waits until none of the worker processes this primary started is alive.</summary>
    public async Task WaitForNoWorkersAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (WorkerPids.Any(Native.IsAlive))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Worker processes still alive: {string.Join(", ", WorkerPids.Where(Native.IsAlive))}{Environment.NewLine}{Output}");
            }

            await Native.ProcessExitPollAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pid in SuccessorPids.Where(Native.IsAlive))
        {
            Native.Kill(pid, Native.SIGKILL);
        }

        if (!_primary.HasExited)
        {
            Native.Kill(_primary.Id, Native.SIGKILL);
            await WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        foreach (var pid in WorkerPids.Where(Native.IsAlive))
        {
            Native.Kill(pid, Native.SIGKILL);
        }

        try
        {
            Directory.Delete(AdminDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        // A primary that stops normally removes its private directory; one the test killed cannot.
        if (_privateDirectory is not null && Directory.Exists(_privateDirectory))
        {
            try
            {
                Directory.Delete(_privateDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        _primary.Dispose();
    }

    private static string SamplePath(string key) =>
        typeof(DefussProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static DefussProcess Launch(
        string appPath, string[] settings, int? descriptorLimit = null, IReadOnlyDictionary<string, string>? environment = null, System.Net.Sockets.Socket? systemdSocket = null)
    {
        var start = StartInfo(appPath, settings, descriptorLimit);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var fd = systemdSocket is null ? -1 : (int)systemdSocket.Handle;
        if (fd >= 0)
        {
            // bash sets LISTEN_PID to its own pid, moves the socket to descriptor 3 and executes dotnet in its place.
            var program = start.FileName;
            var arguments = start.ArgumentList.ToArray();
            start.FileName = "/bin/bash";
            start.ArgumentList.Clear();
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(fd == 3 ? "export LISTEN_PID=$$ LISTEN_FDS=1; exec \"$0\" \"$@\"" : $"export LISTEN_PID=$$ LISTEN_FDS=1; exec \"$0\" \"$@\" 3<&{fd} {fd}<&-");
            start.ArgumentList.Add(program);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
        }

        var process = new DefussProcess(new Process { StartInfo = start });
        process._primary.OutputDataReceived += (_, e) => process.OnLine(e.Data, stdout: true);
        process._primary.ErrorDataReceived += (_, e) => process.OnLine(e.Data, stdout: false);
        if (fd >= 0)
        {
            // Inherited for the moment of the start only (a process that other tests start meanwhile may take a copy too,
            // which changes nothing: the test holds the socket open itself).
            lock (InheritGate)
            {
                _ = Defuss.Worker.Interop.LinuxSockets.Fcntl(fd, SetDescriptorFlags, 0);
                try
                {
                    process._primary.Start();
                }
                finally
                {
                    _ = Defuss.Worker.Interop.LinuxSockets.Fcntl(fd, SetDescriptorFlags, Defuss.Worker.Interop.LinuxSockets.FdCloexec);
                }
            }
        }
        else
        {
            process._primary.Start();
        }

        process._primary.StandardInput.Close();
        process._primary.BeginOutputReadLine();
        process._primary.BeginErrorReadLine();
        return process;
    }

    /// <summary>dotnet running <paramref name="appPath"/> with every stream redirected, the tests' settings, and no Defuss setting of the test run's own environment.</summary>
    private static ProcessStartInfo StartInfo(string appPath, string[] settings, int? descriptorLimit = null)
    {
        // prlimit sets the limit and then executes dotnet in its own place: the pid is the primary's.
        var start = new ProcessStartInfo(descriptorLimit is null ? "dotnet" : "prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (descriptorLimit is { } limit)
        {
            start.ArgumentList.Add($"--nofile={limit}:{limit}");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(appPath);
        // A test of ASP.NET's URL settings names the endpoints itself (AspNetEndpoints): then only the workers are set here.
        var defaults = settings.Contains(AspNetEndpoints) ? DefaultSettings.Where(s => s.StartsWith("--Defuss:Workers", StringComparison.Ordinal)) : DefaultSettings;
        foreach (var argument in defaults.Concat(settings.Where(s => s != AspNetEndpoints)))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("DEFUSS_", StringComparison.Ordinal) || k.StartsWith("Defuss__", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(key);
        }

        return start;
    }

    private const int SetDescriptorFlags = 2;
    private static readonly Lock InheritGate = new();

    private int _streamsOpen = 2;

    private void OnLine(string? line, bool stdout)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _streamsOpen) == 0)
            {
                _outputClosed.TrySetResult();
            }

            return;
        }

        _output.Enqueue((stdout ? "out| " : "err| ") + line);
        if (WorkerStartedLine().Match(line) is { Success: true } started)
        {
            _workerPids.TryAdd(int.Parse(started.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0);
            if (started.Groups[2].Success)
            {
                _privateDirectory ??= started.Groups[2].Value;
            }
        }

        if (SuccessorStartedLine().Match(line) is { Success: true } successor)
        {
            _successorPids.TryAdd(int.Parse(successor.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0);
        }

        if (ListeningLine().Match(line) is { Success: true } listening)
        {
            _listening.TrySetResult(int.Parse(listening.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        LineWritten?.Invoke(line);
    }

    [GeneratedRegex(@"Worker \d+ started: pid (\d+), endpoint (?:(?:unix|handoff):(/\S+)/w\d+-\d+\.sock)?")]
    private static partial Regex WorkerStartedLine();

    [GeneratedRegex(@"started the new primary, pid (\d+)")]
    private static partial Regex SuccessorStartedLine();

    [GeneratedRegex(@"listening on http://[^:\s]+:(\d+)")]
    private static partial Regex ListeningLine();
}
