extern alias cli;

using System.Text.Json;
using cli::Defuss.Cli.Admin;
using Defuss.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Defuss.Tests.Cli.AdminFixtures;

namespace Defuss.Tests.Cli.Admin;

public sealed class AdminClientTests
{
    [Fact]
    public async Task GetStatusAsync_ContractExample_ReadsEveryField()
    {
        await using var cli = new CliHarness();
        await cli.StartPrimaryAsync(4242, app => app.MapGet("/status", () => Results.Text(ContractExample, "application/json")));
        using var client = AdminClient.ForSocket(cli.SocketOf(4242), 4242, token: null, TestTimeouts.Default, TimeProvider.System);

        var status = await client.GetStatusAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default);

        status.Should().BeEquivalentTo(new
        {
            Pid = 4242, Version = "1.0.0", StartedAt = Started, UptimeSeconds = 12.5, Endpoints = new List<string> { "http://0.0.0.0:3000" },
            Delivery = "handoff", LoadBalancer = "RoundRobin", ReadyWorkers = 2,
        });
        status.Workers.Should().ContainSingle().Which.Should().BeEquivalentTo(new WorkerInfo
        {
            Index = 0, Pid = 4250, Incarnation = 1, State = "Ready", StartedAt = Started.AddSeconds(0.6), UptimeSeconds = 11.9, Restarts = 0,
            LastExit = null, CpuPercent = 3.5, WorkingSetBytes = 73400320, GcHeapBytes = 8123456, Connections = 4, RequestsInFlight = 1,
            RequestsServed = 1520, LastHeartbeatAt = Started.AddSeconds(12),
        });
        status.RecentEvents.Should().ContainSingle().Which.Should().BeEquivalentTo(new WorkerEvent
        {
            Time = Started.AddSeconds(1), Worker = 0, Incarnation = 1, Kind = "ready", Message = "worker 0 ready (pid 4250)",
        });
    }

    [Fact]
    public void HostStatusJson_ReadIntoTheToolsModel_KeepsEveryField()
    {
        var host = Status(4242, WorkerAt(0, 4250, served: 77, lastExit: "SIGKILL"), WorkerAt(1, 4251, state: "Stale"));

        var read = JsonSerializer.Deserialize<PrimaryStatus>(Json(host), AdminJson.Options);

        read.Should().BeEquivalentTo(host, options => options
            .ComparingByMembers<Defuss.Hosting.DefussStatus>()
            .ComparingByMembers<Defuss.Hosting.WorkerStatus>()
            .ComparingByMembers<Defuss.Hosting.WorkerEventRecord>());
    }

    [Fact]
    public async Task GetStatusAsync_NoAnswerInTime_FailsNamingTheSocket()
    {
        await using var cli = new CliHarness();
        var never = new TaskCompletionSource();
        await cli.StartPrimaryAsync(4242, app => app.MapGet("/status", (HttpContext context) => never.Task.WaitAsync(context.RequestAborted)));
        using var client = AdminClient.ForSocket(cli.SocketOf(4242), 4242, token: null, TimeSpan.FromMilliseconds(200), TimeProvider.System);

        var failure = await client.Invoking(c => c.GetStatusAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default))
            .Should().ThrowAsync<AdminException>();

        failure.Which.Message.Should().Contain(cli.SocketOf(4242)).And.Contain("no answer");
        failure.Which.Gone.Should().BeFalse();
    }

    [Fact]
    public async Task GetStatusAsync_StaleSocket_FailsAsGone()
    {
        await using var cli = new CliHarness();
        var stale = cli.LeaveStaleSocket(4100);
        using var client = AdminClient.ForSocket(stale, 4100, token: null, TestTimeouts.Default, TimeProvider.System);

        var failure = await client.Invoking(c => c.GetStatusAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default))
            .Should().ThrowAsync<AdminException>();

        failure.Which.Gone.Should().BeTrue();
        failure.Which.Message.Should().Contain(stale).And.Contain("connection refused");
    }

    [Fact]
    public async Task GetStatusAsync_MissingSocketFile_FailsAsGone()
    {
        await using var cli = new CliHarness();
        using var client = AdminClient.ForSocket(cli.SocketOf(4100), 4100, token: null, TestTimeouts.Default, TimeProvider.System);

        var failure = await client.Invoking(c => c.GetStatusAsync(CancellationToken.None).WaitAsync(TestTimeouts.Default))
            .Should().ThrowAsync<AdminException>();

        failure.Which.Gone.Should().BeTrue();
        failure.Which.Message.Should().Contain(cli.SocketOf(4100));
    }
}
