extern alias cli;

using Defuss.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Defuss.Tests.Cli.AdminFixtures;

namespace Defuss.Tests.Cli.Commands;

public sealed class UpgradeCommandTests
{
    [Fact]
    public async Task RunAsync_Upgrade_NamesTheNewPrimaryOnceItAccepts()
    {
        await using var cli = new CliHarness();
        await cli.StartPrimaryAsync(4242, app =>
        {
            app.MapStatus(Status(4242, WorkerAt(0, 4250)));
            app.MapPost("/upgrade", () => Results.Json(new { pid = 4242, successorPid = 5151, readyWorkers = 2 }));
        });

        var exitCode = await cli.StartAsync(CancellationToken.None, "upgrade").WaitAsync(TestTimeouts.Default);

        exitCode.Should().Be(0, cli.Console.Text);
        cli.Console.Text.Should().Contain("Upgraded: primary 5151 accepts with 2 workers ready; primary 4242 drains and exits");
    }

    [Fact]
    public async Task RunAsync_UpgradeFailed_PrintsWhyAndExitsOne()
    {
        await using var cli = new CliHarness();
        await cli.StartPrimaryAsync(4242, app =>
        {
            app.MapStatus(Status(4242, WorkerAt(0, 4250)));
            app.MapPost("/upgrade", () => Results.Json(
                new { error = "the new primary (pid 5151) did not take over, and this primary serves on: Worker 0 exited with exit code 1" },
                statusCode: StatusCodes.Status500InternalServerError));
        });

        var exitCode = await cli.StartAsync(CancellationToken.None, "upgrade").WaitAsync(TestTimeouts.Default);

        exitCode.Should().Be(1);
        cli.Console.Text.Should().Contain("Upgrade failed").And.Contain("did not take over").And.Contain("this primary serves on");
    }
}
