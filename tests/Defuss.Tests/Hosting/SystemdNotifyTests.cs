using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Defuss.Hosting;
using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Hosting;

/// <summary>
/// The primary under <c>Type=notify</c>: the test plays systemd, with a datagram socket it names in <c>NOTIFY_SOCKET</c>.
/// </summary>
[Collection(ShowcaseCollection.Name)]
public sealed class SystemdNotifyTests
{
    [Fact]
    public async Task NotifySocket_ThePrimaryReportsReadyStatusWatchdogReloadingAndStopping()
    {
        using var directory = new ShortTempDirectory();
        using var systemd = NotifyReceiver.Bind(directory.PathOf("notify.sock"));
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = systemd.Path, ["WATCHDOG_USEC"] = "1000000" };
        await using var primary = await DefussProcess.StartAppAsync(DefussProcess.ShowcasePath, environment);
        var (pid0, pid1) = await primary.ReadyPidsAsync();

        (await systemd.WaitForAsync(m => m.StartsWith("READY=1\n", StringComparison.Ordinal))).Should().MatchRegex(@"^READY=1\nSTATUS=[12] of 2 workers ready, serving on http://127\.0\.0\.1:\d+$");
        await systemd.WaitForAsync(m => m.EndsWith($"STATUS=2 of 2 workers ready, serving on http://127.0.0.1:{primary.Port}", StringComparison.Ordinal));
        await systemd.WaitForAsync(m => m == "WATCHDOG=1", count: 2);
        foreach (var worker in new[] { pid0, pid1 })
        {
            (await File.ReadAllTextAsync($"/proc/{worker}/environ")).Split('\0').Should().NotContain(v => v.StartsWith("NOTIFY_SOCKET=", StringComparison.Ordinal) || v.StartsWith("WATCHDOG_USEC=", StringComparison.Ordinal), "systemd's variables are the primary's alone");
        }

        var before = MonotonicMicroseconds();
        Native.Kill(primary.Pid, Native.SIGHUP);
        var reloading = await systemd.WaitForAsync(m => m.StartsWith("RELOADING=1\n", StringComparison.Ordinal));
        var monotonic = long.Parse(reloading.Split('\n')[1].Split('=')[1], CultureInfo.InvariantCulture);
        monotonic.Should().BeInRange(before, MonotonicMicroseconds(), "MONOTONIC_USEC is CLOCK_MONOTONIC now, in microseconds");
        await primary.WaitForLineAsync("Rolling restart done: 2 workers replaced");
        await systemd.WaitForAsync(m => m.StartsWith("READY=1\n", StringComparison.Ordinal), count: 2);
        systemd.Messages.FindIndex(m => m.StartsWith("RELOADING=1", StringComparison.Ordinal))
            .Should().BeLessThan(systemd.Messages.FindLastIndex(m => m.StartsWith("READY=1", StringComparison.Ordinal)), "ready again after the reload");

        (await primary.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        var stopping = systemd.Messages.FindIndex(m => m.StartsWith("STOPPING=1\n", StringComparison.Ordinal));
        stopping.Should().BeGreaterThan(systemd.Messages.FindLastIndex(m => m.StartsWith("READY=1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task FromEnvironment_AbstractSocketName_SendsToTheAbstractNamespace()
    {
        var name = "defuss-test-" + Guid.NewGuid().ToString("N");
        using var receiver = NotifyReceiver.Bind("\0" + name);
        using var notifier = SystemdNotifier.FromEnvironment(variable => variable == "NOTIFY_SOCKET" ? "@" + name : null)!;

        notifier.Notify("READY=1").Should().BeTrue();

        (await receiver.WaitForAsync(m => m == "READY=1")).Should().Be("READY=1");
        notifier.WatchdogInterval.Should().BeNull("WATCHDOG_USEC is not set");
    }

    [Theory]
    [InlineData("4000000", null, 2000)]
    [InlineData("4000000", "self", 2000)]
    [InlineData("4000000", "1", null)]
    [InlineData("0", null, null)]
    public void FromEnvironment_Watchdog_PingsAtHalfItsTimeoutWhenItWatchesThisProcess(string usec, string? pid, int? expectedMs)
    {
        var variables = new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = "@unused",
            ["WATCHDOG_USEC"] = usec,
            ["WATCHDOG_PID"] = pid == "self" ? Environment.ProcessId.ToString(CultureInfo.InvariantCulture) : pid,
        };

        using var notifier = SystemdNotifier.FromEnvironment(variable => variables.GetValueOrDefault(variable))!;

        notifier.WatchdogInterval.Should().Be(expectedMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);
    }

    [Fact]
    public void FromEnvironment_NoNotifySocket_IsNoNotifier()
    {
        SystemdNotifier.FromEnvironment(_ => null).Should().BeNull();
    }

    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));
}
