using System.Net.Sockets;
using Defuss.Processes;
using Defuss.Tests.TestSupport;
using Defuss.Upgrade;
using Microsoft.Extensions.Logging.Abstractions;

namespace Defuss.Tests.Upgrade;

/// <summary>
/// The old primary's side of a hand-over against new primaries that never take over (real processes): each failure is
/// named, and no process is left behind.
/// </summary>
public sealed class SuccessorLaunchTests : IDisposable
{
    private readonly ShortTempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task RunAsync_ANewPrimaryThatNeverConnects_IsStoppedAtTheDeadline()
    {
        var launch = new SuccessorLaunch(NullLogger.Instance, _directory.FullPath, TimeSpan.FromSeconds(1), killGrace: TimeSpan.FromSeconds(5));

        var result = await launch.RunAsync(Shell("exec sleep 60"), Environment(), [], CancellationToken.None).WaitAsync(TestTimeouts.Default);

        result.Succeeded.Should().BeFalse();
        result.Failure.Should().Be("it did not accept on the listening sockets within 1 s");
        result.SuccessorPid.Should().Be(launch.SuccessorPid).And.BePositive();
        Native.IsAlive(result.SuccessorPid).Should().BeFalse("a new primary that failed is stopped");
        File.Exists(_directory.PathOf("upgrade.sock")).Should().BeFalse("the hand-over socket is removed");
    }

    [Fact]
    public async Task RunAsync_ANewPrimaryThatExitsAtOnce_NamesItsExitCode()
    {
        var launch = new SuccessorLaunch(NullLogger.Instance, _directory.FullPath, TestTimeouts.Default, killGrace: TimeSpan.FromSeconds(5));

        var result = await launch.RunAsync(Shell("exit 3"), Environment(), [], CancellationToken.None).WaitAsync(TestTimeouts.Default);

        result.Failure.Should().Be("it exited with exit code 3 before it reached the hand-over socket");
    }

    [Fact]
    public async Task RunAsync_ANewPrimaryThatWritesAnErrorAndExits_IsNamedByItsLastErrorOutput_WhichIsEchoedToo()
    {
        var echoed = new LineRecorder();
        var lane = new OutputEchoLane("stderr", echoed, 64 * 1024, NullLogger.Instance, null, TimeProvider.System);
        var launch = new SuccessorLaunch(NullLogger.Instance, _directory.FullPath, TestTimeouts.Default, killGrace: TimeSpan.FromSeconds(5), lane);
        var script = "echo 'Unhandled exception. System.InvalidDataException: Failed to load configuration' >&2; echo '   at Program.<Main>$(String[] args)' >&2; echo 'to standard output'; exit 3";

        var result = await launch.RunAsync(Shell(script), Environment(), [], CancellationToken.None).WaitAsync(TestTimeouts.Default);

        var newLine = System.Environment.NewLine;
        result.Failure.Should().Be(
            $"it exited with exit code 3 before it reached the hand-over socket; its last error output:{newLine}"
            + $"Unhandled exception. System.InvalidDataException: Failed to load configuration{newLine}   at Program.<Main>$(String[] args)");
        await echoed.WaitForLineAsync(line => line == "   at Program.<Main>$(String[] args)").WaitAsync(TestTimeouts.Default);
        echoed.Lines.Should().Equal(
            ["Unhandled exception. System.InvalidDataException: Failed to load configuration", "   at Program.<Main>$(String[] args)"],
            "its standard error reaches this primary's, and its standard output is its own");
    }

    [Fact]
    public async Task RunAsync_AnotherProcessConnectsInTheNewPrimarysPlace_IsNotGivenTheSockets()
    {
        var launch = new SuccessorLaunch(NullLogger.Instance, _directory.FullPath, TestTimeouts.Default, killGrace: TimeSpan.FromSeconds(5));
        var path = _directory.PathOf("upgrade.sock");
        var running = launch.RunAsync(Shell("exec sleep 60"), Environment(), [], CancellationToken.None);

        await Eventually.TrueAsync(() => File.Exists(path) && launch.SuccessorPid > 0, "the old primary waits for its successor");
        using var impostor = UpgradeChannel.Connect(path);
        var result = await running.WaitAsync(TestTimeouts.Default);

        result.Failure.Should().Be($"process {System.Environment.ProcessId}, not the new primary {result.SuccessorPid}, connected to the hand-over socket");
        Native.IsAlive(result.SuccessorPid).Should().BeFalse();
        impostor.Receive(TestTimeouts.Default, CancellationToken.None).Should().BeNull("the impostor gets nothing, and the channel is closed");
    }

    [Fact]
    public async Task RunAsync_TheOldPrimaryStopping_StopsTheNewPrimary()
    {
        var launch = new SuccessorLaunch(NullLogger.Instance, _directory.FullPath, TestTimeouts.Default, killGrace: TimeSpan.FromSeconds(5));
        using var stopping = new CancellationTokenSource();
        var running = launch.RunAsync(Shell("exec sleep 60"), Environment(), [], stopping.Token);
        await Eventually.TrueAsync(() => launch.SuccessorPid > 0, "the new primary has started");

        await stopping.CancelAsync();
        var result = await running.WaitAsync(TestTimeouts.Default);

        result.Failure.Should().Be("this primary is stopping");
        Native.IsAlive(result.SuccessorPid).Should().BeFalse();
    }

    private static WorkerCommandLine Shell(string script) => new("/bin/sh", "-c", script);

    private static Dictionary<string, string> Environment() => new() { ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin" };
}
