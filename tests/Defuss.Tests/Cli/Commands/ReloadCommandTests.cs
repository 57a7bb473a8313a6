extern alias cli;

using cli::Defuss.Cli.Admin;
using cli::Defuss.Cli.Commands;
using Defuss.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Defuss.Tests.Cli.AdminFixtures;

namespace Defuss.Tests.Cli.Commands;

public sealed class ReloadCommandTests
{
    [Fact]
    public async Task RunAsync_Reload_ShowsWorkersReplacedSoFarThenTheResult()
    {
        await using var cli = new CliHarness();
        var reloading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var polledDuringReload = new AsyncCounter();
        await cli.StartPrimaryAsync(4242, app =>
        {
            app.MapStatus(() =>
            {
                if (!reloading.Task.IsCompleted)
                {
                    return Status(4242, WorkerAt(0, 4250), WorkerAt(1, 4251));
                }

                polledDuringReload.Increment();
                return Status(4242, WorkerAt(0, 4260, incarnation: 2), WorkerAt(1, 4251, state: "Draining"));
            });
            app.MapPost("/reload", async () =>
            {
                reloading.TrySetResult();
                await finish.Task;
                return Results.Json(new { replaced = 2 });
            });
        });

        var run = cli.StartAsync(CancellationToken.None, "reload");
        await polledDuringReload.WaitForAsync(1);
        await cli.Console.WaitForTextAsync("replacing workers: 1 of 2 new");
        finish.SetResult();
        var exitCode = await run.WaitAsync(TestTimeouts.Default);

        exitCode.Should().Be(0, cli.Console.Text);
        cli.Console.Text.Should().Contain("Reloaded 2 workers");
    }

    [Fact]
    public async Task RunAsync_ReloadRefused_PrintsTheErrorAndExitsOne()
    {
        await using var cli = new CliHarness();
        await cli.StartPrimaryAsync(4242, app =>
        {
            app.MapStatus(Status(4242, WorkerAt(0, 4250)));
            app.MapPost("/reload", () => Results.Json(new { error = "a reload is already running" }, statusCode: StatusCodes.Status503ServiceUnavailable));
        });

        var exitCode = await cli.RunAsync("reload");

        exitCode.Should().Be(1);
        cli.Console.Text.Should().Contain("Reload failed").And.Contain("503").And.Contain("a reload is already running");
    }

    [Fact]
    public async Task RunAsync_CancelledWhileWaiting_ExitsCancelled()
    {
        await using var cli = new CliHarness();
        var reloading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        await cli.StartPrimaryAsync(4242, app =>
        {
            app.MapStatus(Status(4242, WorkerAt(0, 4250)));
            app.MapPost("/reload", async (HttpContext context) =>
            {
                reloading.TrySetResult();

                // A reload that outlasts the test: it ends when the tool hangs up.
                await never.Task.WaitAsync(context.RequestAborted);
            });
        });
        using var ctrlC = new CancellationTokenSource();

        var run = cli.StartAsync(ctrlC.Token, "reload");
        await reloading.Task.WaitAsync(TestTimeouts.Default);
        await ctrlC.CancelAsync();
        var exitCode = await run.WaitAsync(TestTimeouts.Default);

        exitCode.Should().Be(130);
        cli.Console.Text.Should().Contain("Stopped waiting for the reload");
    }

    [Fact]
    public void Replaced_NewPidOrIncarnation_CountsTheWorker()
    {
        var before = new PrimaryStatus { Workers = [new WorkerInfo { Index = 0, Pid = 10, Incarnation = 1 }, new WorkerInfo { Index = 1, Pid = 11, Incarnation = 1 }] };
        var now = new PrimaryStatus { Workers = [new WorkerInfo { Index = 0, Pid = 20, Incarnation = 2 }, new WorkerInfo { Index = 1, Pid = 11, Incarnation = 1 }] };

        ReloadCommand.Replaced(before, now).Should().Be(1);
        ReloadCommand.Replaced(before, before).Should().Be(0);
    }
}
