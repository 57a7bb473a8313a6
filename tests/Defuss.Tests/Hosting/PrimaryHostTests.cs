using Akka;
using Akka.Actor;
using Defuss.Actors.Workers;
using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Defuss.Tests.Hosting;

/// <summary>
/// The primary runs the .NET host's lifecycle around the front door: what plugs into the host runs there, and the
/// drain comes before the host (and its actor system) stops. A primary in the test's process, with a real worker.
/// </summary>
[Collection(ShowcaseCollection.Name)]
public sealed class PrimaryHostTests
{
    [Fact]
    public async Task OpenTelemetryRecipe_ExportsTheDefussMeterFromThePrimary()
    {
        var exported = new List<MetricSnapshot>();
        await using var primary = await InProcessPrimary.StartAsync(builder =>
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter("Defuss").AddInMemoryExporter(exported)));

        primary.App.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000).Should().BeTrue();

        var byName = exported.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Last());
        byName.Should().ContainKey("defuss.worker.starts");
        Sum(byName["defuss.worker.starts"]).Should().Be(1, "one worker started");
        LastValue(byName["defuss.workers.ready"]).Should().Be(1, "it is ready");
    }

    [Fact]
    public async Task HostedService_RunsInThePrimary_IsNamedAtStart_AndStopsOnlyAfterTheWorkersDrained()
    {
        var recorder = new LifecycleRecorder();
        await using var primary = await InProcessPrimary.StartAsync(builder =>
            builder.Services.AddSingleton(recorder).AddHostedService(provider => provider.GetRequiredService<LifecycleRecorder>()));
        var worker = ((WorkerReady)await primary.Events.WaitForAsync(e => e is WorkerReady)).Pid;
        recorder.OnStop = () => Native.IsAlive(worker);

        recorder.Started.Should().BeTrue("the primary starts the host, and with it the app's hosted services");
        primary.App.Lifetime.ApplicationStarted.IsCancellationRequested.Should().BeTrue();
        primary.Logs.Entries.Should().ContainSingle(e => e.EventId.Id == 3128)
            .Which.Message.Should().Contain(typeof(LifecycleRecorder).FullName);

        (await primary.StopAsync()).Should().Be(0);

        recorder.WorkerAliveAtStop.Should().BeFalse("the drain runs before the host stops its services");
        (await primary.Events.WaitForAsync(e => e is WorkerExited)).Should().Match<WorkerExited>(
            e => e.Expected && e.Exit.Signal == null && e.Exit.ExitCode == 0, "the worker drained, it was not killed");
    }

    [Fact]
    public async Task CoordinatedShutdownStartedElsewhere_DrainsTheWorkersBeforeAnyLaterPhase()
    {
        await using var primary = await InProcessPrimary.StartAsync();
        var worker = ((WorkerReady)await primary.Events.WaitForAsync(e => e is WorkerReady)).Pid;
        var shutdown = CoordinatedShutdown.Get(primary.ActorSystem);
        var aliveAtUnbind = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "test-unbind", () =>
        {
            aliveAtUnbind.TrySetResult(Native.IsAlive(worker));
            return Task.FromResult(Done.Instance);
        });

        await shutdown.Run(CoordinatedShutdown.UnknownReason.Instance).WaitAsync(TimeSpan.FromSeconds(60));

        (await aliveAtUnbind.Task.WaitAsync(TestTimeouts.Default)).Should().BeFalse("the drain runs in the first phase, before any later one");
        (await primary.Events.WaitForAsync(e => e is WorkerExited)).Should().Match<WorkerExited>(
            e => e.Expected && e.Exit.Signal == null && e.Exit.ExitCode == 0, "the worker drained, it was not killed");
        (await primary.WaitForExitAsync()).Should().Be(0);
        primary.Logs.Entries.Should().Contain(e => e.EventId.Id == 3102 && e.Message.Contains("the actor system is shutting down"));
    }

    [Fact]
    public async Task ApplicationLifetimeStop_DrainsAndExitsZero()
    {
        await using var primary = await InProcessPrimary.StartAsync();

        primary.App.Lifetime.StopApplication();

        (await primary.WaitForExitAsync()).Should().Be(0);
        ((WorkerExited)await primary.Events.WaitForAsync(e => e is WorkerExited)).Expected.Should().BeTrue();
        primary.Logs.Entries.Should().Contain(e => e.EventId.Id == 3102 && e.Message.Contains("the host is stopping"));
    }

    private static long Sum(MetricSnapshot metric) => metric.MetricPoints.Sum(point => point.GetSumLong());

    private static long LastValue(MetricSnapshot metric) => metric.MetricPoints.Sum(point => point.GetGaugeLastValueLong());

    /// <summary>A hosted service of the app's: records that it started, and whether the worker was still alive when it stopped.</summary>
    private sealed class LifecycleRecorder : IHostedService
    {
        public bool Started { get; private set; }

        public Func<bool>? OnStop { get; set; }

        public bool? WorkerAliveAtStop { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Started = true;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            WorkerAliveAtStop = OnStop?.Invoke();
            return Task.CompletedTask;
        }
    }
}
