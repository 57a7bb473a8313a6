using System.Net;
using System.Net.Sockets;
using System.Text;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>Starting, failing to start, losing workers and stopping, with real processes.</summary>
public abstract class PrimaryLifecycleTests(string delivery)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff() : PrimaryLifecycleTests(Delivery.Handoff);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy() : PrimaryLifecycleTests(Delivery.Proxy);

    /// <summary>Starts the Showcase in this class's delivery mode, with <paramref name="settings"/>.</summary>
    private Task<DefussProcess> StartAsync(params string[] settings) => DefussProcess.StartAsync(Delivery.With(delivery, settings));

    /// <summary>Runs the Showcase in this class's delivery mode until it exits by itself.</summary>
    private Task<(int ExitCode, string Output)> RunToExitAsync(params string[] settings) => DefussProcess.RunToExitAsync(Delivery.With(delivery, settings));

    [Fact]
    public async Task InvalidOption_ExitsWithCode1AndNamesTheSetting()
    {
        var (exitCode, output) = await RunToExitAsync("--Defuss:Workers=0", "--Defuss:MaxHeaderBytes=1");

        exitCode.Should().Be(1);
        output.Should().Contain("Defuss:Workers = '0'").And.Contain("Defuss:MaxHeaderBytes = '1'");
    }

    [Fact]
    public async Task PortInUse_ExitsWithCode1AndNamesThePort()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var port = ((IPEndPoint)holder.LocalEndPoint!).Port;

        var (exitCode, output) = await RunToExitAsync($"--Defuss:Port={port}");

        exitCode.Should().Be(1);
        output.Should().Contain($"Defuss:Port = '{port}'");
    }

    [Fact]
    public async Task NoWorkerReadyWithinTheStartupTimeout_ExitsWithCode1AndQuotesTheWorkersErrorOutput()
    {
        var (exitCode, output) = await RunToExitAsync("--Showcase:FailWorkerStartup=true", "--Defuss:StartupTimeout=00:00:03");

        exitCode.Should().Be(1);
        output.Should().Contain("no worker was ready within Defuss:StartupTimeout")
            .And.Contain("exited with exit code 3")
            .And.Contain("simulated startup failure");
    }

    /// <remarks>A terminal's Ctrl+C reaches every process of the group: a worker must leave the drain to the primary.</remarks>
    [Fact]
    public async Task SigintToAWorker_IsIgnored_AndThePrimaryLeadsTheDrain()
    {
        await using var defuss = await StartAsync();
        var (worker0, _) = await defuss.ReadyPidsAsync();

        Native.Kill(worker0, Native.SIGINT);

        // Like ExpectNoMsg: a worker that took SIGINT as a stop would say so at once.
        var stopping = () => defuss.WaitForLineAsync($@"Worker 0 \(pid {worker0}\) is draining", TimeSpan.FromSeconds(1));
        await stopping.Should().ThrowAsync<TimeoutException>();
        var pids = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            pids.Add(await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid"));
        }

        pids.Should().Contain(worker0.ToString(System.Globalization.CultureInfo.InvariantCulture), "the worker still serves");
        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        await defuss.WaitForLineAsync($@"Worker 0 \(pid {worker0}\) is draining: Defuss is stopping");
    }

    [Fact]
    public async Task Sigterm_StopsTheWorkersAndExits0()
    {
        await using var defuss = await StartAsync();
        await defuss.ReadyPidsAsync();
        defuss.WorkerPids.Should().HaveCount(2);

        var exitCode = await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30));

        exitCode.Should().Be(0);
        await defuss.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
        defuss.Output.Should().MatchRegex(@"Worker 0 \(pid \d+\) stopped with exit code 0", "the worker drained before the actor system stopped");
        defuss.Output.Should().MatchRegex(@"Worker 1 \(pid \d+\) stopped with exit code 0");
        defuss.Output.Should().Contain("stopped");
    }

    [Fact]
    public async Task NormalStartAndStop_PrintNoAkkaBannerConfigurationOrDeadLetters()
    {
        var defuss = await StartAsync();
        await using (defuss)
        {
            await defuss.ReadyPidsAsync();
            await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid");
            (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        }

        defuss.Output.Should().NotMatchRegex(@"\[(DEBUG|INFO|WARNING|ERROR)\]\[", "no line in Akka's own console format");
        defuss.Output.Should().NotMatchRegex(@"(?i)\bAkka\.", "no Akka component logs during a normal run");
        defuss.Output.Should().NotContainEquivalentOf("dead letter");
        defuss.Output.Should().NotMatchRegex(@"(?m)^\S*\s*akka\s*\{", "no configuration dump");
    }

    [Fact]
    public async Task PrimaryKilled_WorkersExitByThemselves()
    {
        await using var defuss = await StartAsync();
        await defuss.ReadyPidsAsync();

        await defuss.SignalAndWaitAsync(Native.SIGKILL, TimeSpan.FromSeconds(10));

        await defuss.WaitForNoWorkersAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task EveryWorkerGone_WithRespawnOff_Answers503WithRetryAfter()
    {
        await using var defuss = await StartAsync("--Defuss:RespawnWorkers=false");
        await defuss.ReadyPidsAsync();

        foreach (var pid in defuss.WorkerPids)
        {
            Native.Kill(pid, Native.SIGKILL);
        }

        await defuss.WaitForLineAsync(@"Worker 0 \(pid \d+\) exited");
        await defuss.WaitForLineAsync(@"Worker 1 \(pid \d+\) exited");
        using var socket = await HttpTestClient.ConnectAsync(defuss.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"), SocketFlags.None);
        var response = await HttpTestClient.ReadToEndAsync(socket);

        response.Should().StartWith("HTTP/1.1 503").And.Contain("Retry-After:");
        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
    }

    [Fact]
    public async Task WorkerKilled_IsReplacedByANewProcess()
    {
        await using var defuss = await StartAsync();
        var (firstPid, _) = await defuss.ReadyPidsAsync();

        Native.Kill(firstPid, Native.SIGKILL);

        await defuss.WaitForLineAsync($@"Worker 0 ready: pid (?!{firstPid}\b)\d+");
        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        await defuss.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
    }
}
