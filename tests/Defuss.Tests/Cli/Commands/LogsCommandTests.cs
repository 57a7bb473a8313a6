using Defuss.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Defuss.Tests.Cli.AdminFixtures;

namespace Defuss.Tests.Cli.Commands;

public sealed class LogsCommandTests
{
    [Fact]
    public async Task RunAsync_Logs_PrintsEachLineWithItsWorkerPrefix()
    {
        await using var cli = new CliHarness();
        string? query = null;
        await cli.StartPrimaryAsync(4242, app => app.MapGet("/logs", async (HttpContext context) =>
        {
            query = context.Request.QueryString.Value;
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.WriteAsync(LogLine(0, 4250, "info: Microsoft.Hosting.Lifetime[0] Now listening"));
            await context.Response.WriteAsync(LogLine(1, 4251, "fail: something broke", stream: "stderr"));
            await context.Response.WriteAsync("not json at all\n");
        }));

        var exitCode = await cli.RunAsync("logs", "--worker", "1", "--lines", "5");

        exitCode.Should().Be(0, cli.Console.Text);
        query.Should().Be("?worker=1&lines=5");
        cli.Console.Text.Should().Contain("[w0 4250] info: Microsoft.Hosting.Lifetime[0] Now listening")
            .And.Contain("[w1 4251] fail: something broke")
            .And.Contain("not json at all");
    }

    [Fact]
    public async Task RunAsync_Follow_PrintsNewLinesUntilCancelled()
    {
        await using var cli = new CliHarness();
        var more = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? query = null;
        await cli.StartPrimaryAsync(4242, app => app.MapGet("/logs", async (HttpContext context) =>
        {
            query = context.Request.QueryString.Value;
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.WriteAsync(LogLine(0, 4250, "kept line"));
            await context.Response.Body.FlushAsync();
            await more.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync(LogLine(1, 4251, "new line"));
            await context.Response.Body.FlushAsync();

            // Following: the stream stays open until the tool hangs up.
            await new TaskCompletionSource().Task.WaitAsync(context.RequestAborted);
        }));
        using var ctrlC = new CancellationTokenSource();

        var run = cli.StartAsync(ctrlC.Token, "logs", "--follow");
        await cli.Console.WaitForTextAsync("[w0 4250] kept line");
        cli.Console.Text.Should().NotContain("new line");
        more.SetResult();
        await cli.Console.WaitForTextAsync("[w1 4251] new line");
        await ctrlC.CancelAsync();
        var exitCode = await run.WaitAsync(TestTimeouts.Default);

        exitCode.Should().Be(0, cli.Console.Text);
        query.Should().Be("?follow=true");
    }

    [Fact]
    public async Task RunAsync_FollowedStreamEnds_SaysSoAndExitsOne()
    {
        await using var cli = new CliHarness();
        await cli.StartPrimaryAsync(4242, app => app.MapGet("/logs", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.WriteAsync(LogLine(0, 4250, "last words"));
        }));

        var exitCode = await cli.RunAsync("logs", "-f");

        exitCode.Should().Be(1);
        cli.Console.Text.Should().Contain("[w0 4250] last words").And.Contain("ended the log stream");
    }
}
