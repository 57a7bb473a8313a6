extern alias cli;

using cli::Defuss.Cli.Admin;
using cli::Defuss.Cli.Commands;
using Defuss.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Defuss.Tests.Cli.AdminFixtures;

namespace Defuss.Tests.Cli.Commands;

public sealed class ScaleCommandTests
{
    [Fact]
    public async Task RunAsync_Scale_ShowsWorkersReadySoFarThenTheResult()
    {
        await using var cli = new CliHarness();
        var scaling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var asked = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await cli.StartPrimaryAsync(4242, app =>
        {
            app.MapStatus(() => scaling.Task.IsCompleted
                ? Status(4242, WorkerAt(0, 4250), WorkerAt(1, 4251), WorkerAt(2, 4252, state: "Starting"))
                : Status(4242, WorkerAt(0, 4250)));
            app.MapPost("/scale", async (HttpContext context) =>
            {
                asked.TrySetResult(context.Request.QueryString.Value ?? "");
                scaling.TrySetResult();
                await finish.Task;
                return Results.Json(new { workers = 3 });
            });
        });

        var run = cli.StartAsync(CancellationToken.None, "scale", "3");
        (await asked.Task.WaitAsync(TestTimeouts.Default)).Should().Be("?workers=3");
        await cli.Console.WaitForTextAsync("2 of 3 workers ready");
        finish.SetResult();
        var exitCode = await run.WaitAsync(TestTimeouts.Default);

        exitCode.Should().Be(0, cli.Console.Text);
        cli.Console.Text.Should().Contain("Scaled to 3 workers");
    }

    [Theory]
    [InlineData(StatusCodes.Status400BadRequest, "0 workers is outside 1..1024 for a fixed pool")]
    [InlineData(StatusCodes.Status503ServiceUnavailable, "the pool was not resized: the primary is stopping")]
    public async Task RunAsync_ScaleRefused_PrintsTheServersMessageAndExitsOne(int statusCode, string error)
    {
        await using var cli = new CliHarness();
        await cli.StartPrimaryAsync(4242, app =>
        {
            app.MapStatus(Status(4242, WorkerAt(0, 4250)));
            app.MapPost("/scale", () => Results.Json(new { error }, statusCode: statusCode));
        });

        var exitCode = await cli.RunAsync("scale", "0");

        exitCode.Should().Be(1, cli.Console.Text);
        cli.Console.Text.Should().Contain("Scale failed").And.Contain(statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain(error);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    public async Task RunAsync_NotAWorkerCount_ExitsTwoNamingTheValue(string workers)
    {
        await using var cli = new CliHarness();
        var posted = false;
        await cli.StartPrimaryAsync(4242, app =>
        {
            app.MapStatus(Status(4242, WorkerAt(0, 4250)));
            app.MapPost("/scale", () =>
            {
                posted = true;
                return Results.Json(new { workers = 1 });
            });
        });

        var exitCode = await cli.RunAsync("scale", workers);

        exitCode.Should().Be(2, cli.Console.Text);
        cli.Console.Text.Should().Contain($"'{workers}'");
        posted.Should().BeFalse();
    }

    [Fact]
    public async Task RunAsync_CancelledWhileWaiting_ExitsCancelled()
    {
        await using var cli = new CliHarness();
        var scaling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        await cli.StartPrimaryAsync(4242, app =>
        {
            app.MapStatus(Status(4242, WorkerAt(0, 4250)));
            app.MapPost("/scale", async (HttpContext context) =>
            {
                scaling.TrySetResult();

                // A resize that outlasts the test: it ends when the tool hangs up.
                await never.Task.WaitAsync(context.RequestAborted);
            });
        });
        using var ctrlC = new CancellationTokenSource();

        var run = cli.StartAsync(ctrlC.Token, "scale", "4");
        await scaling.Task.WaitAsync(TestTimeouts.Default);
        await ctrlC.CancelAsync();
        var exitCode = await run.WaitAsync(TestTimeouts.Default);

        exitCode.Should().Be(130);
        cli.Console.Text.Should().Contain("Stopped waiting for the resize");
    }

    [Fact]
    public void Ready_CountsReadyWorkersOnly()
    {
        var status = new PrimaryStatus
        {
            Workers = [new WorkerInfo { Index = 0, State = "Ready" }, new WorkerInfo { Index = 1, State = "Starting" }, new WorkerInfo { Index = 2, State = "Exited" }],
        };

        ScaleCommand.Ready(status).Should().Be(1);
    }
}
