using Defuss.Tests.TestSupport;
using static Defuss.Tests.Cli.AdminFixtures;

namespace Defuss.Tests.Cli.Commands;

public sealed class TopCommandTests
{
    [Fact]
    public async Task RunAsync_TwoSnapshots_ShowsRequestsPerSecondAndEndsOnQ()
    {
        await using var cli = new CliHarness();
        var asked = 0;
        await cli.StartPrimaryAsync(4242, app => app.MapStatus(() =>
        {
            // 500 more requests between heartbeats 2 s apart, by the primary's clock: 250 a second.
            var n = Interlocked.Increment(ref asked);
            return Status(4242, WorkerAt(0, 4250, served: 1000 + (500 * n), heartbeatAt: 10 + (2 * n)), WorkerAt(1, 4251, state: "Draining"));
        }));

        var run = cli.StartAsync(CancellationToken.None, "top");
        await cli.Console.WaitForTextAsync("250.0");
        cli.Console.PushKey('q');
        var exitCode = await run.WaitAsync(TestTimeouts.Default);

        exitCode.Should().Be(0, cli.Console.Text);
        cli.Console.Text.Should().Contain("primary 4242").And.Contain("Ready").And.Contain("Draining").And.Contain("70.0 MiB").And.Contain("q or Ctrl+C to quit");
        cli.Console.CursorVisible.Should().BeTrue("top must leave the cursor shown");
    }

    [Fact]
    public async Task RunAsync_Cancelled_EndsWithZeroAndShowsTheCursor()
    {
        await using var cli = new CliHarness();
        await cli.StartPrimaryAsync(4242, app => app.MapStatus(Status(4242, WorkerAt(0, 4250))));
        using var ctrlC = new CancellationTokenSource();

        var run = cli.StartAsync(ctrlC.Token, "top");
        await cli.Console.WaitForTextAsync("4250");
        await ctrlC.CancelAsync();
        var exitCode = await run.WaitAsync(TestTimeouts.Default);

        exitCode.Should().Be(0, cli.Console.Text);
        cli.Console.CursorVisible.Should().BeTrue();
    }

    [Fact]
    public async Task RunAsync_PrimaryGoesAway_SaysSoAndExitsOne()
    {
        await using var cli = new CliHarness();
        var primary = await cli.StartPrimaryAsync(4242, app => app.MapStatus(Status(4242, WorkerAt(0, 4250))));

        var run = cli.StartAsync(CancellationToken.None, "top");
        await cli.Console.WaitForTextAsync("4250");
        await primary.DisposeAsync();
        var exitCode = await run.WaitAsync(TestTimeouts.Default);

        exitCode.Should().Be(1);
        cli.Console.Text.Should().Contain("The primary went away").And.Contain(cli.SocketOf(4242));
        cli.Console.CursorVisible.Should().BeTrue();
    }

    [Fact]
    public async Task RunAsync_SeveralPrimariesWithoutPid_ExitsTwoNamingThem()
    {
        await using var cli = new CliHarness();
        await cli.StartPrimaryAsync(4242, app => app.MapStatus(Status(4242, WorkerAt(0, 4250))));
        await cli.StartPrimaryAsync(4343, app => app.MapStatus(Status(4343, WorkerAt(0, 4350))));
        cli.LeaveStaleSocket(4100);

        var exitCode = await cli.RunAsync("top");

        exitCode.Should().Be(2);
        cli.Console.Text.Should().Contain("4242, 4343").And.Contain("--pid").And.NotContain("4100");
    }
}
