using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Admin;

/// <summary>The admin endpoint of a real primary (the Showcase, 2 workers), over its TCP URL and its local admin socket.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed partial class AdminEndpointTests
{
    private const string AdminOnAnyPort = "--Defuss:AdminUrl=http://127.0.0.1:0";

    [Fact]
    public async Task Endpoint_OfARunningPrimary_ServesStatusHealthReadinessMetricsAndLogs()
    {
        await using var primary = await DefussProcess.StartAsync(AdminOnAnyPort);
        var (pid0, pid1) = await primary.ReadyPidsAsync();
        using var overTcp = AdminHttp.ForUrl(await AdminUrlAsync(primary));
        using var overSocket = primary.AdminClient();
        using var app = HttpTestClient.KeepAlive(primary.BaseAddress);
        for (var i = 0; i < 4; i++)
        {
            (await app.GetStringAsync("/")).Should().Be("hello");
        }

        var status = await overSocket.StatusWhenAsync(s => s.GetProperty("workers").EnumerateArray().All(w => w.GetProperty("lastHeartbeatAt").ValueKind == JsonValueKind.String));
        status.GetProperty("pid").GetInt32().Should().Be(primary.Pid);
        status.GetProperty("delivery").GetString().Should().Be("handoff");
        status.GetProperty("loadBalancer").GetString().Should().Be("RoundRobin");
        status.GetProperty("readyWorkers").GetInt32().Should().Be(2);
        status.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()).Should().Equal($"http://127.0.0.1:{primary.Port}");
        var workers = status.GetProperty("workers").EnumerateArray().ToArray();
        workers.Select(w => (w.GetProperty("index").GetInt32(), w.GetProperty("pid").GetInt32(), w.GetProperty("state").GetString()))
            .Should().Equal((0, pid0, "Ready"), (1, pid1, "Ready"));
        workers.Should().OnlyContain(w => w.GetProperty("workingSetBytes").GetInt64() > 0 && w.GetProperty("incarnation").GetInt64() == 1);
        status.GetProperty("recentEvents").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).Should().Contain(["started", "ready"]);
        (await overTcp.StatusAsync()).GetProperty("pid").GetInt32().Should().Be(primary.Pid, "the TCP URL serves the same primary");

        (await overTcp.GetStringAsync("healthz")).Should().Be("ok\n");
        (await overTcp.GetStringAsync("readyz")).Should().StartWith("ready: 2 worker(s) ready");

        var metrics = await overTcp.GetStringAsync("metrics");
        metrics.Should().Contain($"defuss_worker_cpu{{otel_scope_name=\"Defuss\",defuss_worker_index=\"0\",defuss_worker_pid=\"{pid0}\"}}")
            .And.Contain($"defuss_worker_memory_working_set_bytes{{otel_scope_name=\"Defuss\",defuss_worker_index=\"1\",defuss_worker_pid=\"{pid1}\"}}")
            .And.Contain("defuss_connections_delivered_total{otel_scope_name=\"Defuss\",defuss_delivery=\"handoff\"}")
            .And.Contain("defuss_routing_duration_seconds_bucket")
            .And.Contain("defuss_head_sniff_duration_seconds_bucket")
            .And.Contain("defuss_workers_ready{otel_scope_name=\"Defuss\"} 2");
        Counter(metrics, "defuss_connections_accepted_total").Should().BeGreaterThanOrEqualTo(1);

        var logs = (await overSocket.GetStringAsync("logs?worker=1&lines=200")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        logs.Should().NotBeEmpty().And.OnlyContain(line => line.GetProperty("worker").GetInt32() == 1 && line.GetProperty("pid").GetInt32() == pid1);
        await primary.WaitForLineAsync($@"\[w0 {pid0}\] ");
        await primary.WaitForLineAsync($@"\[w1 {pid1}\] ");
    }

    [Fact]
    public async Task Readyz_AWorkerKilled_Answers503UntilItIsBackWithANewPid()
    {
        await using var primary = await DefussProcess.StartAsync("--Defuss:Workers=1", "--Defuss:RestartBackoffMin=00:00:01", "--Defuss:RestartBackoffMax=00:00:01");
        var pid = int.Parse((await primary.WaitForLineAsync(@"Worker 0 ready: pid (\d+)")).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        using var admin = primary.AdminClient();
        (await admin.GetAsync("readyz")).StatusCode.Should().Be(HttpStatusCode.OK);

        Native.Kill(pid, Native.SIGKILL);
        var down = await admin.StatusWhenAsync(s => s.GetProperty("readyWorkers").GetInt32() == 0);
        down.GetProperty("workers")[0].GetProperty("lastExit").GetString().Should().Be("signal SIGKILL");
        using (var notReady = await admin.GetAsync("readyz"))
        {
            notReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            (await notReady.Content.ReadAsStringAsync()).Should().Contain("0 worker(s) ready");
        }

        (await admin.GetAsync("healthz")).StatusCode.Should().Be(HttpStatusCode.OK, "the primary itself is fine");
        var back = await admin.StatusWhenAsync(s => s.GetProperty("readyWorkers").GetInt32() == 1);
        var worker = back.GetProperty("workers")[0];
        worker.GetProperty("pid").GetInt32().Should().NotBe(pid);
        worker.GetProperty("restarts").GetInt32().Should().Be(1);
        (await admin.GetAsync("readyz")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Reload_ThroughTheEndpoint_ReplacesEveryWorkerAndAnswersOnceDone()
    {
        await using var primary = await DefussProcess.StartAsync();
        var (pid0, pid1) = await primary.ReadyPidsAsync();
        using var admin = primary.AdminClient();

        using var response = await admin.PostAsync("reload", null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("replaced").GetInt32().Should().Be(2);
        var workers = (await admin.StatusAsync()).GetProperty("workers").EnumerateArray().ToArray();
        workers.Select(w => w.GetProperty("pid").GetInt32()).Should().NotIntersectWith([pid0, pid1]);
        workers.Should().OnlyContain(w => w.GetProperty("state").GetString() == "Ready" && w.GetProperty("incarnation").GetInt64() == 2);
    }

    [Fact]
    public async Task Token_WhenSet_IsRequiredOverTcpButNotOnTheLocalSocket()
    {
        const string Token = "a-long-enough-admin-token";
        await using var primary = await DefussProcess.StartAsync(AdminOnAnyPort, "--Defuss:AdminToken=" + Token);
        using var overTcp = AdminHttp.ForUrl(await AdminUrlAsync(primary));

        using (var without = await overTcp.GetAsync("status"))
        {
            without.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            without.Headers.WwwAuthenticate.ToString().Should().Be("Bearer");
            (await without.Content.ReadAsStringAsync()).Should().NotContain(Token);
        }

        overTcp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-" + Token);
        (await overTcp.GetAsync("metrics")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        overTcp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        (await overTcp.StatusAsync()).GetProperty("pid").GetInt32().Should().Be(primary.Pid);
        using var overSocket = primary.AdminClient();
        (await overSocket.StatusAsync()).GetProperty("pid").GetInt32().Should().Be(primary.Pid);
    }

    [Fact]
    public async Task AdminUrl_InUse_FailsTheStartNamingTheSetting()
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var (exitCode, output) = await DefussProcess.RunToExitAsync($"--Defuss:AdminUrl=http://127.0.0.1:{port}");

        exitCode.Should().Be(1);
        output.Should().Contain($"Defuss:AdminUrl = 'http://127.0.0.1:{port}' is invalid: it cannot be bound");
    }

    /// <summary>The admin endpoint's TCP URL, as the primary logged it.</summary>
    private static async Task<string> AdminUrlAsync(DefussProcess primary) =>
        (await primary.WaitForLineAsync(@"Admin endpoint on (http://127\.0\.0\.1:\d+)")).Groups[1].Value;

    private static double Counter(string metrics, string name) =>
        CounterLine().Matches(metrics).Where(m => m.Groups[1].Value == name).Sum(m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(\w+)\{[^}]*\} (\S+)", RegexOptions.Multiline)]
    private static partial Regex CounterLine();
}
