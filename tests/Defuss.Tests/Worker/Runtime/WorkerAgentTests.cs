using Defuss.Tests.TestSupport;
using Defuss.Worker;
using Defuss.Worker.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Defuss.Tests.Worker.Runtime;

public sealed class WorkerAgentTests
{
    [Fact]
    public async Task Start_WithPrimary_SaysHelloThenReadyAndServes()
    {
        await using var worker = await WorkerHarness.StartAsync();

        var hello = await worker.Primary.ExpectAsync<Hello>();
        hello.Should().Be(new Hello(3, 7, Environment.ProcessId, "incarnation-7-secret"));
        var ready = await worker.Primary.ExpectAsync<Ready>();
        ready.Endpoint.Should().Be(worker.Settings.Endpoint);

        using var client = worker.CreateClient();
        (await client.GetStringAsync(new Uri("/", UriKind.Relative)).WaitAsync(TestTimeouts.Default)).Should().Be("hello");
    }

    [Fact]
    public async Task Heartbeats_RequestInFlight_ReportItsConnectionAndRequest()
    {
        var gate = new RequestGate();
        await using var worker = await WorkerHarness.StartAsync(map: gate.Map);
        await worker.Primary.ReadUntilAsync<Ready>();

        var first = await worker.Primary.ExpectAsync<Heartbeat>();
        first.Stats.Pid.Should().Be(Environment.ProcessId);
        first.Stats.WorkingSetBytes.Should().BeGreaterThan(0);
        first.Stats.UptimeMs.Should().BeGreaterThan(0);

        var client = worker.CreateClient();
        var response = client.GetStringAsync(new Uri("/slow", UriKind.Relative));
        await gate.Entered.Task.WaitAsync(TestTimeouts.Default);
        await worker.Primary.ReadUntilAsync<Heartbeat>(h => h.Stats is { RequestsInFlight: 1, ActiveConnections: 1 });

        gate.Release.SetResult();
        (await response.WaitAsync(TestTimeouts.Default)).Should().Be("slow");
        client.Dispose();
        await worker.Primary.ReadUntilAsync<Heartbeat>(h => h.Stats is { RequestsInFlight: 0, ActiveConnections: 0 });
    }

    [Fact]
    public async Task Stop_FromPrimary_SaysStoppingAndStopsWithinTheDeadline()
    {
        await using var worker = await WorkerHarness.StartAsync();
        var hostOptions = worker.App.Services.GetRequiredService<IOptions<HostOptions>>().Value;
        await worker.Primary.ReadUntilAsync<Ready>();

        await worker.Primary.SendAsync(new Stop(4321));

        var stopping = await worker.Primary.ReadUntilAsync<Stopping>();
        stopping.Reason.Should().Be("stop requested");
        await worker.Stopping.WaitAsync(TestTimeouts.Default);
        await worker.Run.WaitAsync(TestTimeouts.Default);
        hostOptions.ShutdownTimeout.Should().Be(TimeSpan.FromMilliseconds(4321));
        var rest = await worker.Primary.ReadToEndAsync();
        rest.Should().AllBeOfType<Heartbeat>("Stopping is said once");
    }

    [Fact]
    public async Task Stop_RequestInFlight_LetsItFinishAndHeartbeatsWhileDraining()
    {
        var gate = new RequestGate("drained");
        await using var worker = await WorkerHarness.StartAsync(map: gate.Map);
        await worker.Primary.ReadUntilAsync<Ready>();
        using var client = worker.CreateClient();
        var response = client.GetStringAsync(new Uri("/slow", UriKind.Relative));
        await gate.Entered.Task.WaitAsync(TestTimeouts.Default);

        await worker.Primary.SendAsync(new Stop(10_000));
        await worker.Primary.ReadUntilAsync<Stopping>();
        await worker.Stopping.WaitAsync(TestTimeouts.Default);
        await worker.Primary.ReadUntilAsync<Heartbeat>(h => h.Stats.RequestsInFlight == 1);
        gate.Release.SetResult();

        (await response.WaitAsync(TestTimeouts.Default)).Should().Be("drained");
        await worker.Run.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task ChannelClosed_ByPrimary_StopsTheApp()
    {
        // No heartbeat is left unread, so the worker sees a clean end of stream.
        await using var worker = await WorkerHarness.StartAsync(adjustSettings: s => s with { HeartbeatInterval = TimeSpan.FromHours(1) });
        await worker.Primary.ReadUntilAsync<Ready>();

        worker.Primary.CloseConnection();

        await worker.Stopping.WaitAsync(TestTimeouts.Default);
        await worker.Run.WaitAsync(TestTimeouts.Default);
        worker.Logs.Entries.Should().Contain(e => e.EventId.Id == WorkerEventIds.PrimaryGone && e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task ChannelReset_ByPrimary_StopsTheAppAsPrimaryGone()
    {
        await using var worker = await WorkerHarness.StartAsync();
        await worker.Primary.ReadUntilAsync<Ready>();

        await worker.Primary.ResetConnectionAsync();

        await worker.Stopping.WaitAsync(TestTimeouts.Default);
        await worker.Run.WaitAsync(TestTimeouts.Default);
        worker.Logs.Entries.Should().Contain(e => e.EventId.Id == WorkerEventIds.PrimaryGone && e.Level == LogLevel.Warning);
        worker.Logs.Entries.Should().NotContain(e => e.EventId.Id == WorkerEventIds.ControlChannelFailed);
    }

    [Fact]
    public async Task ChannelClosed_BeforeReady_StopsTheApp()
    {
        await using var worker = await WorkerHarness.StartAsync();
        await worker.Primary.ExpectAsync<Hello>();

        worker.Primary.CloseConnection();

        await worker.Stopping.WaitAsync(TestTimeouts.Default);
        // Depending on how far the host had got, it ends normally or with an OperationCanceledException; either way it ends.
        await ((Task)worker.Run.ContinueWith(_ => { }, TaskScheduler.Default)).WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task ChannelBroken_GarbageFromPrimary_StopsTheApp()
    {
        await using var worker = await WorkerHarness.StartAsync();
        await worker.Primary.ReadUntilAsync<Ready>();

        await worker.Primary.SendRawAsync([0, 0, 0, 3, (byte)'{', (byte)'x', (byte)'}']);

        await worker.Stopping.WaitAsync(TestTimeouts.Default);
        await worker.Run.WaitAsync(TestTimeouts.Default);
        worker.Logs.Entries.Should().Contain(e => e.EventId.Id == WorkerEventIds.ControlChannelFailed && e.Exception is InvalidDataException);
    }

    [Fact]
    public async Task AppStopping_ForAnotherReason_SaysStoppingShutdown()
    {
        await using var worker = await WorkerHarness.StartAsync();
        await worker.Primary.ReadUntilAsync<Ready>();

        worker.App.Lifetime.StopApplication();

        var stopping = await worker.Primary.ReadUntilAsync<Stopping>();
        stopping.Reason.Should().Be("shutdown");
        await worker.Run.WaitAsync(TestTimeouts.Default);
        (await worker.Primary.ReadToEndAsync()).Should().AllBeOfType<Heartbeat>();
    }

    [Fact]
    public async Task UnexpectedMessage_FromPrimary_IsIgnored()
    {
        await using var worker = await WorkerHarness.StartAsync();
        await worker.Primary.ReadUntilAsync<Ready>();

        await worker.Primary.SendAsync(new Ready("tcp:127.0.0.1:1"));

        await worker.Primary.ReadUntilAsync<Heartbeat>();
        await worker.Primary.SendAsync(new Stop(1000));
        await worker.Primary.ReadUntilAsync<Stopping>();
        worker.Logs.Entries.Should().Contain(e => e.EventId.Id == WorkerEventIds.UnexpectedControlMessage);
    }

    [Fact]
    public async Task NoPrimary_WithinConnectTimeout_StopsTheAppWithAnError()
    {
        await using var worker = await WorkerHarness.StartAsync(
            adjustSettings: s => s with { ControlConnectTimeout = TimeSpan.FromMilliseconds(300) },
            withPrimary: false);

        await worker.Stopping.WaitAsync(TestTimeouts.Default);
        await worker.Run.WaitAsync(TestTimeouts.Default);
        worker.Logs.Entries.Should().Contain(e => e.EventId.Id == WorkerEventIds.ControlConnectFailed && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task PrimaryListensLate_WithinConnectTimeout_Connects()
    {
        await using var worker = await WorkerHarness.StartAsync(withPrimary: false);
        await worker.Logs.WaitForAsync(e => e.EventId.Id == WorkerEventIds.ControlConnectRetry);

        await using var primary = new FakePrimary(worker.Settings.ControlEndpoint);
        await primary.AcceptAsync();

        (await primary.ExpectAsync<Hello>()).Index.Should().Be(3);
    }
}
