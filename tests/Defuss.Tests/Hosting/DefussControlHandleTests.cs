using Defuss.Actors.Workers;
using Defuss.Hosting;
using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Defuss.Tests.Hosting;

/// <summary>
/// <see cref="IDefussControl"/> as the caller's handle on a running primary: its status, where it listens, and its stop.
/// A primary in the test's process with a real worker.
/// </summary>
[Collection(ShowcaseCollection.Name)]
public sealed class DefussControlHandleTests
{
    [Fact]
    public async Task GetStatusAndEndpoints_OfARunningPrimary_SayWhereItListensAndWhatItsWorkerIs()
    {
        await using var primary = await InProcessPrimary.StartAsync();
        var control = primary.App.Services.GetRequiredService<IDefussControl>();
        var ready = (WorkerReady)await primary.Events.WaitForAsync(e => e is WorkerReady);

        control.Endpoints.Should().ContainSingle().Which.Port.Should().BePositive("Port 0 became the port the OS picked");
        (await control.WhenListeningAsync().WaitAsync(TestTimeouts.Default)).Should().Equal(control.Endpoints);
        var status = control.GetStatus();

        status.Pid.Should().Be(Environment.ProcessId);
        status.Endpoints.Should().Equal($"http://127.0.0.1:{control.Endpoints[0].Port}");
        status.ReadyWorkers.Should().Be(1);
        status.Workers.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Index = 0, ready.Pid, State = "Ready", Incarnation = 1L });
        (await HttpTestClient.GetOnNewConnectionAsync(new Uri($"http://127.0.0.1:{control.Endpoints[0].Port}/"), "/")).Should().Be("hello");
    }

    [Fact]
    public async Task StopAsync_Graceful_DrainsTheWorkerAndEndsTheRunWithExitCode0()
    {
        await using var primary = await InProcessPrimary.StartAsync();
        var control = primary.App.Services.GetRequiredService<IDefussControl>();

        await control.StopAsync(graceful: true).WaitAsync(TimeSpan.FromSeconds(60));

        (await primary.Run.WaitAsync(TestTimeouts.Default)).Should().Be(0, "once the drain is over, the run returns");
        primary.Events.Seen.OfType<WorkerExited>().Should().ContainSingle()
            .Which.Should().Match<WorkerExited>(e => e.Expected && e.Exit.Signal == null, "a graceful stop drains the worker");
    }

    [Fact]
    public async Task StopAsync_NotGraceful_KillsTheWorkerAtOnce()
    {
        await using var primary = await InProcessPrimary.StartAsync(null, "--Defuss:GracefulShutdownTimeout=00:01:00");
        var control = primary.App.Services.GetRequiredService<IDefussControl>();

        await control.StopAsync(graceful: false).WaitAsync(TimeSpan.FromSeconds(30));

        (await primary.Run).Should().Be(0);
        primary.Events.Seen.OfType<WorkerExited>().Should().ContainSingle().Which.Exit.Signal.Should().Be("SIGKILL");
    }

    [Fact]
    public async Task HandleOutsideARunningPrimary_ExplainsWhatItNeeds()
    {
        var control = new DefussControl();

        control.Endpoints.Should().BeEmpty();
        control.GetStatus().Workers.Should().BeEmpty("nothing has started");
        var stop = () => control.StopAsync();
        (await stop.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*running Defuss primary*");
        var listening = control.WhenListeningAsync();
        listening.IsCompleted.Should().BeFalse();
        control.NeverListening("the primary stopped before its front door listened");
        (await listening.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>()).WithMessage("the primary stopped before its front door listened");
    }
}
