using Akka.Actor;
using Akka.Hosting;
using Defuss.Hosting;
using Defuss.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.Hosting;

/// <summary>
/// What of the app's own registrations runs in the primary (this test process is one: it has no DEFUSS_ROLE), and the
/// line the primary writes about it.
/// </summary>
public sealed class AppPlacementTests
{
    [Fact]
    public async Task AppActorsAndHostedServices_InThePrimary_AreNamed_ButWorkerOnlyOnesDoNotStart()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls=http://127.0.0.1:0"] });
        builder.Services.AddHostedService<Ticker>();
        builder.Services.AddWorkerHostedService<WorkerOnlyTicker>();
        builder.Services.AddAkka("placement", (akka, _) => akka
            .WithActors((system, _) => system.ActorOf(Props.Create(() => new Idle()), "everywhere"))
            .WithWorkerActors((system, _) => system.ActorOf(Props.Create(() => new Idle()), "workers-only")));
        await using var app = builder.Build();
        await app.StartAsync().WaitAsync(TestTimeouts.Default);
        try
        {
            var system = app.Services.GetRequiredService<ActorSystem>();
            var logs = new ListLoggerProvider();

            AppPlacement.AppActors(system).Should().Equal("/user/everywhere");
            AppPlacement.AppHostedServices(app.Services).Should().Equal(typeof(Ticker).FullName);
            AppPlacement.LogWhatRunsInThePrimary(app.Services, logs.CreateLogger("Defuss"));

            logs.Entries.Should().ContainSingle().Which.Should().Match<ListLoggerProvider.LogEntry>(e =>
                e.EventId.Id == 3128 && e.Level == LogLevel.Information
                && e.Message.Contains("/user/everywhere") && e.Message.Contains(typeof(Ticker).FullName!)
                && e.Message.Contains("WithWorkerActors") && e.Message.Contains("AddWorkerHostedService"));
        }
        finally
        {
            await app.StopAsync().WaitAsync(TestTimeouts.Default);
        }
    }

    [Fact]
    public void LogWhatRunsInThePrimary_NothingOfTheApps_WritesNothing()
    {
        using var services = new ServiceCollection().AddWorkerHostedService<WorkerOnlyTicker>().BuildServiceProvider();
        var logs = new ListLoggerProvider();

        AppPlacement.LogWhatRunsInThePrimary(services, logs.CreateLogger("Defuss"));

        logs.Entries.Should().BeEmpty();
    }

    private sealed class Idle : ReceiveActor
    {
    }

    private sealed class Ticker : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }

    private sealed class WorkerOnlyTicker : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => throw new InvalidOperationException("A worker-only service ran in the primary.");
    }
}
