using Defuss.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Defuss.Tests.Cli.AdminFixtures;

namespace Defuss.Tests.Cli.Commands;

public sealed class LsCommandTests
{
    [Fact]
    public async Task RunAsync_TwoPrimariesAndAStaleSocket_ListsBothAndSkipsTheStaleOne()
    {
        await using var cli = new CliHarness();
        await cli.StartPrimaryAsync(4242, app => app.MapStatus(Status(4242, WorkerAt(0, 4250), WorkerAt(1, 4251, state: "Starting"))));
        await cli.StartPrimaryAsync(4343, app => app.MapStatus(Status(4343, WorkerAt(0, 4350, incarnation: 3, state: "GivenUp", restarts: 2, lastExit: "exit code 1"))));
        var stale = cli.LeaveStaleSocket(4100);

        var exitCode = await cli.RunAsync("ls");

        exitCode.Should().Be(0, cli.Console.Text);
        var text = cli.Console.Text;
        text.Should().Contain("primary 4242").And.Contain("primary 4343").And.NotContain("4100");
        text.Should().Contain("v1.0.0").And.Contain("http://0.0.0.0:3000").And.Contain("handoff").And.Contain("RoundRobin").And.Contain("1/2 ready");
        text.Should().Contain("4250").And.Contain("4251").And.Contain("Starting").And.Contain("4350").And.Contain("GivenUp").And.Contain("exit code 1");
        text.Should().Contain("70.0 MiB").And.Contain("7.7 MiB").And.Contain("3.5%");
        File.Exists(stale).Should().BeTrue("the tool skips a stale socket; it does not own it");
    }

    [Fact]
    public async Task RunAsync_NoPrimary_ExitsOneNamingTheDirectory()
    {
        await using var cli = new CliHarness();
        cli.LeaveStaleSocket(4100);

        var exitCode = await cli.RunAsync("ls");

        exitCode.Should().Be(1);
        cli.Console.Text.Should().Contain("No Defuss primary found").And.Contain(cli.Directory);
    }

    [Fact]
    public async Task RunAsync_ContractExample_ShowsTheWorker()
    {
        await using var cli = new CliHarness();
        await cli.StartPrimaryAsync(4242, app => app.MapGet("/status", () => Results.Text(ContractExample, "application/json")));

        var exitCode = await cli.RunAsync("ls");

        exitCode.Should().Be(0, cli.Console.Text);
        cli.Console.Text.Should().Contain("primary 4242").And.Contain("4250").And.Contain("Ready").And.Contain("70.0 MiB").And.Contain("up 12s");
    }

    [Fact]
    public async Task RunAsync_AdminUrlWithToken_SendsItAsBearer()
    {
        await using var cli = new CliHarness();
        var server = await cli.StartTcpAsync(app => app.MapGet("/status", (HttpRequest request) =>
            request.Headers.Authorization == "Bearer s3cret"
                ? Results.Text(Json(Status(4242, WorkerAt(0, 4250))), "application/json")
                : Results.StatusCode(StatusCodes.Status401Unauthorized)));

        var exitCode = await cli.RunAsync("ls", "--admin", server.Address, "--token", "s3cret");

        exitCode.Should().Be(0, cli.Console.Text);
        cli.Console.Text.Should().Contain("primary 4242").And.Contain("4250");
    }

    [Fact]
    public async Task RunAsync_AdminUrlTokenFromEnvironment_SendsItAsBearer()
    {
        await using var cli = new CliHarness();
        var server = await cli.StartTcpAsync(app => app.MapGet("/status", (HttpRequest request) =>
            request.Headers.Authorization == "Bearer from-env"
                ? Results.Text(Json(Status(4242, WorkerAt(0, 4250))), "application/json")
                : Results.StatusCode(StatusCodes.Status401Unauthorized)));
        cli.Environment = cli.Environment with { GetVariable = name => name == "DEFUSS_ADMIN_TOKEN" ? "from-env" : null };

        var exitCode = await cli.RunAsync("ls", "--admin", server.Address);

        exitCode.Should().Be(0, cli.Console.Text);
        cli.Console.Text.Should().Contain("primary 4242");
    }

    [Fact]
    public async Task RunAsync_AdminUrlWithoutToken_ExitsOneSayingATokenIsNeeded()
    {
        await using var cli = new CliHarness();
        var server = await cli.StartTcpAsync(app => app.MapGet("/status", () => Results.StatusCode(StatusCodes.Status401Unauthorized)));

        var exitCode = await cli.RunAsync("ls", "--admin", server.Address);

        exitCode.Should().Be(1);
        cli.Console.Text.Should().Contain("401").And.Contain("--token").And.Contain(server.Address);
    }

    [Fact]
    public async Task RunAsync_AdminUrlRefusesClient_ExitsOneSayingSo()
    {
        await using var cli = new CliHarness();
        var server = await cli.StartTcpAsync(app => app.MapGet("/status", () => Results.StatusCode(StatusCodes.Status403Forbidden)));

        var exitCode = await cli.RunAsync("ls", "--admin", server.Address, "--token", "t");

        exitCode.Should().Be(1);
        cli.Console.Text.Should().Contain("403").And.Contain("refuses this client");
    }

    [Fact]
    public async Task RunAsync_Pid_ListsOnlyThatPrimary()
    {
        await using var cli = new CliHarness();
        await cli.StartPrimaryAsync(4242, app => app.MapStatus(Status(4242, WorkerAt(0, 4250))));
        await cli.StartPrimaryAsync(4343, app => app.MapStatus(Status(4343, WorkerAt(0, 4350))));

        var exitCode = await cli.RunAsync("ls", "--pid", "4343");

        exitCode.Should().Be(0, cli.Console.Text);
        cli.Console.Text.Should().Contain("primary 4343").And.NotContain("primary 4242");
    }

    [Fact]
    public async Task RunAsync_NarrowTerminal_LeavesOutTheWideColumns()
    {
        await using var cli = new CliHarness(consoleWidth: 80);
        await cli.StartPrimaryAsync(4242, app => app.MapStatus(Status(4242, WorkerAt(0, 4250, state: "Restarting", lastExit: "SIGKILL"))));

        var exitCode = await cli.RunAsync("ls");

        exitCode.Should().Be(0, cli.Console.Text);
        cli.Console.Text.Should().Contain("Restarting").And.Contain("70.0 MiB").And.Contain("SIGKILL").And.NotContain("gc heap");
        cli.Console.Text.Split('\n').Should().OnlyContain(line => line.Length <= 80);
    }
}
