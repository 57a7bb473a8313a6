using Defuss.Worker.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A real worker app in this process: a <see cref="WebApplication"/> set up by <see cref="DefussWorkerHosting"/> on a
/// private Unix socket, running against a <see cref="FakePrimary"/>, both in a temp directory removed on dispose.
/// </summary>
internal sealed class WorkerHarness : IAsyncDisposable
{
    private readonly ShortTempDirectory _temp;
    private readonly IHostApplicationLifetime _lifetime;

    private WorkerHarness(ShortTempDirectory temp, WorkerSettings settings, FakePrimary? primary, WebApplication app, ListLoggerProvider logs)
    {
        _temp = temp;
        Settings = settings;
        OptionalPrimary = primary;
        App = app;
        Logs = logs;
        _lifetime = app.Lifetime;
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        Stopping = stopping.Task;
        Run = app.RunAsync();
    }

    public WorkerSettings Settings { get; }

    public FakePrimary Primary => OptionalPrimary ?? throw new InvalidOperationException("This harness runs without a primary.");

    public FakePrimary? OptionalPrimary { get; }

    public WebApplication App { get; }

    public ListLoggerProvider Logs { get; }

    /// <summary><see cref="WebApplication.RunAsync"/>: completes once the app has stopped (and been disposed).</summary>
    public Task Run { get; }

    /// <summary>Completes when ApplicationStopping fires.</summary>
    public Task Stopping { get; }

    public string PrivateSocketPath => Settings.Endpoint["unix:".Length..];

    public static async Task<WorkerHarness> StartAsync(
        Action<WebApplicationBuilder>? beforeWorker = null,
        Action<WebApplication>? map = null,
        Func<WorkerSettings, WorkerSettings>? adjustSettings = null,
        bool withPrimary = true)
    {
        var temp = new ShortTempDirectory();
        FakePrimary? primary = null;
        WorkerHarness? harness = null;
        try
        {
            var settings = new WorkerSettings(
                Index: 3,
                Incarnation: 7,
                Secret: "incarnation-7-secret",
                ControlEndpoint: temp.PathOf("control.sock"),
                Endpoint: "unix:" + temp.PathOf("worker.sock"),
                HeartbeatInterval: TimeSpan.FromMilliseconds(50));
            settings = adjustSettings?.Invoke(settings) ?? settings;
            primary = withPrimary ? new FakePrimary(settings.ControlEndpoint) : null;

            var builder = WebApplication.CreateBuilder(Array.Empty<string>());
            var logs = new ListLoggerProvider();
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            beforeWorker?.Invoke(builder);
            DefussWorkerHosting.ConfigureWorker(builder, settings);

            var app = builder.Build();
            app.MapGet("/", () => "hello");
            map?.Invoke(app);
            harness = new WorkerHarness(temp, settings, primary, app, logs);
            if (primary is not null)
            {
                await primary.AcceptAsync();
            }

            return harness;
        }
        catch
        {
            if (harness is not null)
            {
                await harness.DisposeAsync();
            }
            else
            {
                if (primary is not null)
                {
                    await primary.DisposeAsync();
                }

                temp.Dispose();
            }

            throw;
        }
    }

    public HttpClient CreateClient() => PrivateEndpointHttp.CreateClient(PrivateSocketPath, Settings.Secret);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Run.IsCompleted)
            {
                _lifetime.StopApplication();
            }

            await Run.WaitAsync(TestTimeouts.Default);
        }
        catch (OperationCanceledException)
        {
            // The host throws this when it is told to stop while it is still starting.
        }
        finally
        {
            if (OptionalPrimary is not null)
            {
                await OptionalPrimary.DisposeAsync();
            }

            _temp.Dispose();
        }
    }
}
