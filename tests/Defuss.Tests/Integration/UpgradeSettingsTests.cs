extern alias cli;

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using cli::Defuss.Cli;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>
/// A hand-over's settings, status and systemd, with real processes: a changed setting takes effect, a changed port is
/// refused with the reason, systemd follows the new primary, and a primary serves on sockets systemd passes it.
/// </summary>
[Collection(ShowcaseCollection.Name)]
public sealed class UpgradeSettingsTests
{
    [Fact]
    public async Task DefussUpgrade_WithAChangedEnvironmentFile_TheNewPrimaryTakesTheSettingAndSystemdFollowsIt()
    {
        using var directory = new ShortTempDirectory();
        var environmentFile = directory.PathOf("env");
        await File.WriteAllTextAsync(environmentFile, "Defuss__LoadBalancer=RoundRobin\n");
        using var systemd = NotifyReceiver.Bind(directory.PathOf("notify.sock"));
        var adminUrl = $"http://127.0.0.1:{TestSockets.FreeConsecutivePorts(1)}";
        var environment = new Dictionary<string, string>
        {
            ["Defuss__EnvironmentFile"] = environmentFile,
            ["Defuss__LoadBalancer"] = "RoundRobin",
            ["Defuss__AdminUrl"] = adminUrl,
            ["Defuss__GracefulShutdownTimeout"] = "00:01:00", // the held request below ends when the test says, not by a kill
            ["NOTIFY_SOCKET"] = systemd.Path,
        };
        await using var old = await DefussProcess.StartAppAsync(DefussProcess.ShowcasePath, environment);
        await old.ReadyPidsAsync();
        await systemd.WaitForAsync(m => m.StartsWith("READY=1\n", StringComparison.Ordinal));

        // A request the old primary's worker is still serving keeps the old primary draining after the hand-over. The test
        // holds it open itself, with half of an upload's body, and ends it only once it has seen the old primary draining:
        // a request of a fixed length could end (and the old primary exit) before a slow hand-over is done. The first half
        // keeps Kestrel's minimum body rate (240 bytes/s on average) satisfied for minutes.
        var half = new byte[64 * 1024];
        using var held = await HttpTestClient.ConnectAsync(old.Port);
        await held.SendAsync(System.Text.Encoding.ASCII.GetBytes($"POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: {2 * half.Length}\r\nConnection: close\r\n\r\n"), SocketFlags.None);
        await held.SendAsync(half, SocketFlags.None);
        using (var oldAdmin = old.AdminClient())
        {
            await oldAdmin.StatusWhenAsync(s => s.GetProperty("workers").EnumerateArray().Any(w => w.GetProperty("requestsInFlight").GetInt64() > 0), TimeSpan.FromSeconds(10));
        }

        await File.WriteAllTextAsync(environmentFile, "# rewritten for the hand-over\nDefuss__LoadBalancer=LeastConnections\n");
        var cliEnvironment = new CliEnvironment { AdminDirectory = old.AdminDirectory, GetVariable = _ => null };
        using (var console = new CliConsole())
        {
            (await DefussCli.RunAsync(["upgrade"], console, cliEnvironment, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(90))).Should().Be(0, console.Text);
            console.Text.Should().MatchRegex($@"Upgraded: primary \d+ accepts with \d workers? ready; primary {old.Pid} drains and exits");
        }

        var successor = old.SuccessorPids.Should().ContainSingle().Subject;
        await old.WaitForLineAsync($"primary-{successor}.sock");
        using var admin = old.AdminClientFor(successor);
        var status = await admin.StatusAsync();
        status.GetProperty("loadBalancer").GetString().Should().Be("LeastConnections", "the new primary read the environment file afresh");
        var predecessor = status.GetProperty("predecessor");
        predecessor.GetProperty("pid").GetInt32().Should().Be(old.Pid);
        predecessor.GetProperty("state").GetString().Should().Be("draining");

        await held.SendAsync(half, SocketFlags.None);
        (await HttpTestClient.ReadToEndAsync(held).WaitAsync(TestTimeouts.Default)).Should().StartWith("HTTP/1.1 200")
            .And.Contain($"\"received\":{2 * half.Length}", "the old primary's drain lets its requests finish");
        (await old.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0);
        (await admin.StatusWhenAsync(s => s.GetProperty("predecessor").ValueKind == System.Text.Json.JsonValueKind.Null))
            .GetProperty("pid").GetInt32().Should().Be(successor, "once the old primary has exited, it is no longer listed");

        // The admin URL: the old primary let it go, and the new one answers on it (it logged both when it listened).
        await old.WaitForLineAsync($"Admin endpoint on {adminUrl}.*primary-{successor}.sock");
        using var overTcp = AdminHttp.ForUrl(adminUrl);
        (await overTcp.StatusAsync()).GetProperty("pid").GetInt32().Should().Be(successor);

        using (var console = new CliConsole())
        {
            (await DefussCli.RunAsync(["ls"], console, cliEnvironment, CancellationToken.None).WaitAsync(TestTimeouts.Default)).Should().Be(0, console.Text);
            console.Text.Should().Contain($"primary {successor}").And.NotContain($"primary {old.Pid} ");
        }

        var mainPid = await systemd.WaitForAsync(m => m.StartsWith("MAINPID=", StringComparison.Ordinal));
        mainPid.Should().StartWith($"MAINPID={successor}\nREADY=1\n", "systemd follows the new primary (NotifyAccess=all)");
        var handedOver = systemd.Messages.IndexOf(mainPid);
        systemd.Messages.Skip(handedOver).Should().NotContain(m => m.StartsWith("STOPPING=1", StringComparison.Ordinal), "the old primary's drain is not the service's stop");

        Native.Kill(successor, Native.SIGTERM);
        await systemd.WaitForAsync(m => m.StartsWith("STOPPING=1", StringComparison.Ordinal));
        await old.WaitForLineAsync($"Defuss primary {successor} stopped", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Sigusr2_WithAChangedPort_IsRefusedWithTheReason_AndTheOldPrimaryServesOn()
    {
        using var directory = new ShortTempDirectory();
        var environmentFile = directory.PathOf("env");
        await File.WriteAllTextAsync(environmentFile, "");
        var environment = new Dictionary<string, string>
        {
            ["Defuss__EnvironmentFile"] = environmentFile,
            ["Defuss__Host"] = "127.0.0.1",
            ["Defuss__Port"] = "0",
        };
        await using var old = await DefussProcess.StartAppAsync(DefussProcess.ShowcasePath, environment, DefussProcess.AspNetEndpoints);
        var (worker0, worker1) = await old.ReadyPidsAsync();

        var otherPort = TestSockets.FreeConsecutivePorts(1);
        await File.WriteAllTextAsync(environmentFile, $"Defuss__Port={otherPort}\n");
        Native.Kill(old.Pid, Native.SIGUSR2);
        var (successor, reason) = await old.WaitForHandOverFailureAsync();
        reason.Should().Contain("a hand-over keeps the listening sockets").And.Contain($"127.0.0.1:{old.Port}").And.Contain($"127.0.0.1:{otherPort}");
        Native.IsAlive(successor).Should().BeFalse();

        int.Parse(await HttpTestClient.GetOnNewConnectionAsync(old.BaseAddress, "/pid"), CultureInfo.InvariantCulture).Should().BeOneOf(worker0, worker1);
        (await old.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
    }

    [Fact]
    public async Task ListenFds_ThePrimaryServesOnSystemdsSocket_AndAStopNeverClosesIt()
    {
        // The test plays systemd: it holds the listening socket across two runs of the service.
        using var listening = TestSockets.Listening(backlog: 64);
        var port = ((IPEndPoint)listening.LocalEndPoint!).Port;

        await using (var first = await DefussProcess.StartWithSystemdSocketAsync(listening))
        {
            first.Port.Should().Be(port, "the front door listens on the socket it was given, not on Defuss:Port=0");
            await first.WaitForLineAsync($@"listens on the 1 socket\(s\) systemd passed \(LISTEN_FDS\): 127\.0\.0\.1:{port}");
            var (worker0, worker1) = await first.ReadyPidsAsync();
            int.Parse(await HttpTestClient.GetOnNewConnectionAsync(first.BaseAddress, "/pid"), CultureInfo.InvariantCulture).Should().BeOneOf(worker0, worker1);
            (await first.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        }

        // Between the two runs, a client connects: the socket still listens, and its connection waits in the backlog.
        using var waiting = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await waiting.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TestTimeouts.Default);
        await waiting.SendAsync("GET /pid HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None);

        await using var second = await DefussProcess.StartWithSystemdSocketAsync(listening);
        var (next0, next1) = await second.ReadyPidsAsync();
        var answer = await HttpTestClient.ReadToEndAsync(waiting).WaitAsync(TestTimeouts.Default);
        answer.Should().StartWith("HTTP/1.1 200").And.MatchRegex($@"\r\n({next0}|{next1})\r\n", "the connection made while no primary ran is served by the next one");
        (await second.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
    }
}
