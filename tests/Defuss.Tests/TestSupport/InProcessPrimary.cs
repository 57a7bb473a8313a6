using Akka.Actor;
using Defuss.Actors.Workers;
using Defuss.Hosting;
using Defuss.Processes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A Defuss primary in the test's own process, so that the test reaches into its host (services, actor system,
/// lifetime), with real worker processes: the Showcase, started as workers by the real launcher. Loopback, a port the
/// OS picks, one worker, no signal handlers. Disposing it stops the primary and kills, by pid, any worker still alive.
/// </summary>
internal sealed class InProcessPrimary : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly string? _inlineCompletions = Environment.GetEnvironmentVariable(SocketEngine.InlineCompletionsVariable);
    private readonly List<int> _workerPids = [];

    private InProcessPrimary(WebApplication app, ListLoggerProvider logs)
    {
        App = app;
        Logs = logs;
        Events = new EventRecorder { Diagnostics = () => LogText };
        app.Services.GetRequiredService<IDefussControl>().Events.Subscribe(Events);
        Run = DefussHostingExtensions.RunPrimaryAsync(app, _stop.Token);
    }

    public WebApplication App { get; }

    /// <summary>Everything the primary's host logged.</summary>
    public ListLoggerProvider Logs { get; }

    /// <summary>The worker events, in the order the primary published them.</summary>
    public EventRecorder Events { get; }

    /// <summary><c>RunDefussAsync</c>'s exit code, once the primary has stopped.</summary>
    public Task<int> Run { get; }

    public ActorSystem ActorSystem => App.Services.GetRequiredService<ActorSystem>();

    /// <summary>Everything logged so far, one entry a line, for failure messages.</summary>
    public string LogText => string.Join(Environment.NewLine, Logs.Entries.Select(e => $"{e.Level} {e.Category}[{e.EventId.Id}]: {e.Message}"));

    /// <summary>Where the front door listens, as <see cref="IDefussControl.Endpoints"/> says.</summary>
    public System.Net.IPEndPoint Endpoint { get; private set; } = null!;

    /// <summary>
    /// Builds the app (after <paramref name="configure"/>, which adds what the test needs), starts the primary and
    /// waits until its first worker is ready and the front door listens.
    /// </summary>
    public static async Task<InProcessPrimary> StartAsync(Action<WebApplicationBuilder>? configure = null, params string[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = ["--Defuss:Host=127.0.0.1", "--Defuss:Port=0", "--Defuss:Workers=1", "--Defuss:InstallSignalHandlers=false", .. settings],
        });
        var logs = new ListLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.AddDefuss();
        builder.Services.AddSingleton<IWorkerProcessLauncher>(provider => new OsWorkerProcessLauncher(
            new WorkerCommandLine("dotnet", DefussProcess.ShowcasePath, "--Serilog:MinimumLevel:Default=Warning"),
            provider.GetRequiredService<ILogger<OsWorkerProcessLauncher>>(),
            TextWriter.Null));
        configure?.Invoke(builder);

        var primary = new InProcessPrimary(builder.Build(), logs);
        try
        {
            var ready = primary.Events.WaitForAsync(e => e is WorkerReady);
            if (await Task.WhenAny(ready, primary.Run).WaitAsync(DefussProcess.StartTimeout) == primary.Run)
            {
                throw new InvalidOperationException("The primary stopped before a worker was ready:" + Environment.NewLine + primary.LogText);
            }

            // The caller's handle says where the front door listens, and when (the real port, since Port is 0).
            var control = primary.App.Services.GetRequiredService<IDefussControl>();
            var listening = control.WhenListeningAsync();
            if (await Task.WhenAny(listening, primary.Run).WaitAsync(DefussProcess.StartTimeout) == primary.Run)
            {
                throw new InvalidOperationException("The primary stopped before its front door listened:" + Environment.NewLine + primary.LogText);
            }

            primary.Endpoint = (await listening).Single();
            return primary;
        }
        catch
        {
            await primary.DisposeAsync();
            throw;
        }
    }

    /// <summary>Asks the primary to stop (as the token passed to <c>RunDefussAsync</c> does) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await WaitForExitAsync();
    }

    /// <summary>Waits for the primary to stop; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        try
        {
            return await Run.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException("The primary did not stop within 60 s:" + Environment.NewLine + LogText, exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Run.IsCompleted)
        {
            await _stop.CancelAsync();
            try
            {
                await Run.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                // Killed below.
            }
        }

        foreach (var started in Events.Seen.OfType<WorkerStarted>().Where(s => Native.IsAlive(s.Pid)))
        {
            Native.Kill(started.Pid, Native.SIGKILL);
        }

        await App.DisposeAsync();
        _stop.Dispose();

        // The primary sets it for its own socket engine; the next process this test process starts must not inherit it.
        Environment.SetEnvironmentVariable(SocketEngine.InlineCompletionsVariable, _inlineCompletions);
    }

    /// <summary>Keeps every worker event an <see cref="IDefussControl"/> observer hears, and lets a test wait for one.</summary>
    internal sealed class EventRecorder : IObserver<WorkerEvent>
    {
        private readonly Recording<WorkerEvent> _seen = new();

        /// <summary>What to add to a timeout's message (the primary's log).</summary>
        public Func<string>? Diagnostics { get; set; }

        public IReadOnlyList<WorkerEvent> Seen => _seen.Items;

        /// <summary>Completes with the first event, heard before or after the call, that matches <paramref name="predicate"/>.</summary>
        public async Task<WorkerEvent> WaitForAsync(Func<WorkerEvent, bool> predicate)
        {
            try
            {
                return await _seen.WaitForAsync(predicate).WaitAsync(DefussProcess.StartTimeout);
            }
            catch (TimeoutException exception)
            {
                throw new TimeoutException("No such worker event; heard: " + string.Join(", ", Seen) + Environment.NewLine + Diagnostics?.Invoke(), exception);
            }
        }

        public void OnNext(WorkerEvent value) => _seen.Add(value);

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}
