using System.Globalization;
using System.Text.Json;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>
/// A hand-over of the primary itself to a new primary (SIGUSR2), with real processes: under a load of new connections,
/// no connection is refused and no request fails, whether the new primary takes over or fails.
/// </summary>
public abstract class UpgradeTests(string delivery)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff() : UpgradeTests(Delivery.Handoff);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy() : UpgradeTests(Delivery.Proxy);

    [Fact]
    public async Task Sigusr2_UnderALoadOfNewConnections_HandsOverWithoutARefusedConnectionOrAFailedRequest()
    {
        await using var old = await DefussProcess.StartAsync(Delivery.With(delivery, []));
        var (worker0, worker1) = await old.ReadyPidsAsync();
        await using var load = LoadGenerator.Start(old.BaseAddress, "/pid", loops: 4, keepAlive: false);
        await load.WaitForSuccessesAsync(100, TestTimeouts.Default);
        // The pipes the old primary writes to (its standard output and error, and whatever it inherited): the new primary
        // inherits them too, and must end up holding no other.
        var oldPipes = ProcessPipes.Written(old.Pid);
        var oldStandardError = ProcessPipes.LinkOf(old.Pid, 2);

        Native.Kill(old.Pid, Native.SIGUSR2);
        var started = await old.WaitForLineAsync(@"started the new primary, pid (\d+)");
        var successor = int.Parse(started.Groups[1].Value, CultureInfo.InvariantCulture);

        // A second one while the first is under way is refused, with a line that says so.
        Native.Kill(old.Pid, Native.SIGUSR2);
        await old.WaitForLineAsync($@"SIGUSR2 refused: a hand-over is already under way \(new primary pid {successor}\)");

        await old.WaitForLineAsync($"Hand-over done: primary {successor} accepts", TimeSpan.FromSeconds(60));
        (await old.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0, "the old primary drains and exits 0");
        old.PrivateDirectory.Should().NotBeNull();
        Directory.Exists(old.PrivateDirectory).Should().BeFalse("the old primary removes its private directory (and the hand-over socket in it)");
        File.Exists(old.AdminSocket).Should().BeFalse("and its admin socket");
        var served = load.Successes;
        await load.WaitForSuccessesAsync(served + 200, TestTimeouts.Default);
        await load.StopAsync();

        load.Failures.Should().Be(0, string.Join(Environment.NewLine, load.FailureMessages));

        // The same listening socket, now held by the new primary alone.
        var inode = ProcessSockets.ListeningInode(old.Port);
        inode.Should().NotBeNull($"127.0.0.1:{old.Port} still listens");
        ProcessSockets.Holding(inode!, [old.Pid, successor]).Should().Equal([successor]);

        await old.WaitForLineAsync($"primary-{successor}.sock");
        using var admin = old.AdminClientFor(successor);
        var status = await admin.StatusAsync();
        status.GetProperty("pid").GetInt32().Should().Be(successor);
        var workers = status.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("pid").GetInt32()).ToArray();
        workers.Should().HaveCount(2).And.NotIntersectWith([worker0, worker1], "the new primary starts workers of its own");
        foreach (var worker in workers)
        {
            (await File.ReadAllTextAsync($"/proc/{worker}/environ")).Split('\0').Should()
                .NotContain(v => v.StartsWith("DEFUSS_UPGRADE_SOCKET=", StringComparison.Ordinal), "the hand-over's socket is the new primary's business, not its workers'");
        }

        int.Parse(await HttpTestClient.GetOnNewConnectionAsync(old.BaseAddress, "/pid"), CultureInfo.InvariantCulture).Should().BeOneOf(workers);
        ProcessPipes.LinkOf(successor, 2).Should().Be(oldStandardError, "the new primary took the old one's standard error back as its own");
        // A descriptor left on the hand-over's pipe would stay; a pipe the new primary opens and closes for a moment does not.
        const string tookBack = "the new primary took its standard error back from the pipe the old primary read during the hand-over, with every duplicate of it";
        try
        {
            await Eventually.TrueAsync(() => !ProcessPipes.WrittenButUnread(successor).Except(oldPipes).Any(), tookBack);
        }
        catch (TimeoutException)
        {
            ProcessPipes.WrittenButUnread(successor).Except(oldPipes).Should().BeEmpty(tookBack + ":{0}{1}", Environment.NewLine, ProcessPipes.Describe(successor));
        }

        new[] { worker0, worker1 }.Should().OnlyContain(pid => !Native.IsAlive(pid), "the old primary's workers drained and exited");

        Native.Kill(successor, Native.SIGTERM);
        await old.WaitForLineAsync($"Defuss primary {successor} stopped", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Sigusr2_WhenTheNewPrimaryCrashesAtStart_TheReasonQuotesItsErrorOutput_AndTheOldOneServesOn()
    {
        using var directory = new ShortTempDirectory();
        var (started, environmentFile) = await StartWithEnvironmentFileAsync(directory);
        await using var old = started;
        var (worker0, worker1) = await old.ReadyPidsAsync();

        // A misspelt setting that the app reads before AddDefuss: the new primary throws before it reaches the hand-over.
        await File.WriteAllTextAsync(environmentFile, "Showcase__Router=Stciky\n");
        Native.Kill(old.Pid, Native.SIGUSR2);
        var (successor, reason) = await old.WaitForHandOverFailureAsync();
        reason.Should().MatchRegex("^it exited with .* before it reached the hand-over socket; its last error output:$");

        using var admin = old.AdminClient();
        var upgrade = (await admin.StatusAsync()).GetProperty("upgrade");
        upgrade.GetProperty("lastFailure").GetString().Should().Contain("Unhandled exception. System.InvalidOperationException: Showcase:Router = 'Stciky' is invalid");
        Native.IsAlive(successor).Should().BeFalse();
        int.Parse(await HttpTestClient.GetOnNewConnectionAsync(old.BaseAddress, "/pid"), CultureInfo.InvariantCulture).Should().BeOneOf(worker0, worker1);
        (await old.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
    }

    [Fact]
    public async Task Sigusr2_WhenTheNewPrimarysWorkersCannotStart_TheOldOneServesOnWithoutAFailedRequest()
    {
        using var directory = new ShortTempDirectory();
        var (started, environmentFile) = await StartWithEnvironmentFileAsync(directory);
        await using var old = started;
        var (worker0, worker1) = await old.ReadyPidsAsync();
        await using var load = LoadGenerator.Start(old.BaseAddress, "/pid", loops: 4, keepAlive: false);
        await load.WaitForSuccessesAsync(100, TestTimeouts.Default);

        // The new primary reads the file afresh: its workers fail at start, and it gives them up after one restart.
        await File.WriteAllTextAsync(environmentFile, "Showcase__FailWorkerStartup=true\nDefuss__MaxRestarts=1\n");
        Native.Kill(old.Pid, Native.SIGUSR2);
        var (successor, reason) = await old.WaitForHandOverFailureAsync();
        reason.Should().Contain("every worker was given up");
        old.Output.Should().Contain("Showcase: simulated startup failure", "the reason carries the worker's last error output");

        var served = load.Successes;
        await load.WaitForSuccessesAsync(served + 200, TestTimeouts.Default);
        await load.StopAsync();
        load.Failures.Should().Be(0, string.Join(Environment.NewLine, load.FailureMessages));
        Native.IsAlive(successor).Should().BeFalse("the failed new primary exited");

        using var admin = old.AdminClient();
        var status = await admin.StatusAsync();
        status.GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("pid").GetInt32()).Should().BeEquivalentTo([worker0, worker1]);
        var upgrade = status.GetProperty("upgrade");
        upgrade.GetProperty("state").GetString().Should().Be("idle");
        upgrade.GetProperty("lastFailure").GetString().Should().Contain($"new primary {successor}").And.Contain("every worker was given up");
        var metrics = await admin.GetStringAsync("/metrics");
        metrics.Should().MatchRegex(@"defuss_primary_upgrades_total\{[^}]*defuss_upgrade_outcome=""failed""[^}]*\} 1");

        (await old.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
    }

    /// <summary>A Showcase primary that reads <c>Defuss:EnvironmentFile</c> (empty at first), which the test rewrites before a hand-over.</summary>
    private async Task<(DefussProcess Primary, string EnvironmentFile)> StartWithEnvironmentFileAsync(ShortTempDirectory directory)
    {
        var environmentFile = directory.PathOf("env");
        await File.WriteAllTextAsync(environmentFile, "# empty at first\n");
        var primary = await DefussProcess.StartAppAsync(
            DefussProcess.ShowcasePath, new Dictionary<string, string> { ["Defuss__EnvironmentFile"] = environmentFile }, Delivery.With(delivery, []));
        return (primary, environmentFile);
    }
}
