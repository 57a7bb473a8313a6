using Defuss.Worker.Runtime;
using Microsoft.AspNetCore.Connections;

namespace Defuss.Tests.Worker.Runtime;

public sealed class WorkerActivityTests
{
    [Fact]
    public void Counters_ManyThreads_BalanceToZero()
    {
        var activity = new WorkerActivity();

        Parallel.For(0, 10_000, _ =>
        {
            activity.ConnectionOpened();
            activity.RequestStarted();
            activity.RequestEnded();
            activity.ConnectionClosed();
        });

        activity.ActiveConnections.Should().Be(0);
        activity.RequestsInFlight.Should().Be(0);
    }

    [Fact]
    public void Counters_OpenedAndStarted_AreCounted()
    {
        var activity = new WorkerActivity();

        activity.ConnectionOpened();
        activity.ConnectionOpened();
        activity.RequestStarted();

        activity.ActiveConnections.Should().Be(2);
        activity.RequestsInFlight.Should().Be(1);
    }

    [Fact]
    public async Task ConnectionMiddleware_WhileConnectionRuns_CountsIt()
    {
        var activity = new WorkerActivity();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var middleware = new ConnectionCountingMiddleware(_ => release.Task, activity);

        var connection = middleware.OnConnectionAsync(new DefaultConnectionContext());
        activity.ActiveConnections.Should().Be(1);
        release.SetResult();
        await connection.WaitAsync(TestSupport.TestTimeouts.Default);

        activity.ActiveConnections.Should().Be(0);
    }

    [Fact]
    public async Task ConnectionMiddleware_ConnectionFails_StillUncounts()
    {
        var activity = new WorkerActivity();
        var middleware = new ConnectionCountingMiddleware(_ => throw new IOException("reset"), activity);

        var run = () => middleware.OnConnectionAsync(new DefaultConnectionContext()).WaitAsync(TestSupport.TestTimeouts.Default);

        await run.Should().ThrowAsync<IOException>();
        activity.ActiveConnections.Should().Be(0);
    }
}
