using System.Diagnostics;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Runtime;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Defuss.Tests.Worker.Runtime;

/// <summary>
/// The watch on the primary, with a real process (<c>sleep</c>) in the primary's place, named as the parent; the end of
/// the worker is recorded instead of carried out.
/// </summary>
public sealed class PrimaryWatchTests : IDisposable
{
    private readonly Process _primary = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ListLoggerProvider _logs = new();

    public void Dispose()
    {
        if (!_primary.HasExited)
        {
            _primary.Kill();
        }

        _primary.Dispose();
        _logs.Dispose();
    }

    /// <summary>A watch of the stand-in primary, which is this "worker"'s parent for as long as it lives.</summary>
    private PrimaryWatch Watch(TimeSpan grace) =>
        new PrimaryWatch(0, _primary.Id, grace, code => _exited.TrySetResult(code), () => Native.IsAlive(_primary.Id) ? _primary.Id : 1).Run();

    private async Task KillThePrimaryAsync()
    {
        _primary.Kill();
        await _primary.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task PrimaryEnds_BeforeTheHostStarted_TheWorkerEndsAtOnce()
    {
        var watch = Watch(TimeSpan.FromMinutes(10));
        await Eventually.TrueAsync(() => watch.Method == "pidfd", "the watch waits on a pidfd of the primary");
        _exited.Task.IsCompleted.Should().BeFalse();

        await KillThePrimaryAsync();

        (await _exited.Task.WaitAsync(TestTimeouts.Default)).Should().Be(PrimaryWatch.ExitCode, "with no host to stop, nothing is worth the grace");
    }

    [Fact]
    public async Task PrimaryEnds_AfterTheHostStarted_StopsTheAppThenEndsTheProcessAfterTheGrace()
    {
        var grace = TimeSpan.FromMilliseconds(300);
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        var watch = Watch(grace);
        watch.Attach(lifetime, _logs.CreateLogger("Defuss.Worker.Runtime.PrimaryWatch"));

        await KillThePrimaryAsync();
        var clock = Stopwatch.StartNew();

        await stopping.Task.WaitAsync(TestTimeouts.Default);
        _exited.Task.IsCompleted.Should().BeFalse("the app gets its grace to stop by itself");
        (await _exited.Task.WaitAsync(TestTimeouts.Default)).Should().Be(PrimaryWatch.ExitCode);
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(grace - TimeSpan.FromMilliseconds(50));
        _logs.Entries.Select(e => e.EventId.Id).Should().ContainInOrder(
            Defuss.Worker.WorkerEventIds.PrimaryWatchStarted,
            Defuss.Worker.WorkerEventIds.PrimaryWatchSawPrimaryEnd,
            Defuss.Worker.WorkerEventIds.PrimaryWatchExiting);
        watch.PrimaryGone.IsCompleted.Should().BeTrue();
    }

    [Fact]
    public async Task PrimaryGoneBeforeTheWatchBegan_TheWorkerEndsAtOnce()
    {
        await KillThePrimaryAsync();

        var watch = Watch(TimeSpan.FromMinutes(10));

        (await _exited.Task.WaitAsync(TestTimeouts.Default)).Should().Be(PrimaryWatch.ExitCode);
        watch.Method.Should().Be("the primary was gone before the watch began");
    }

    [Fact]
    public async Task PrimaryAlive_TheWatchWaits()
    {
        var watch = Watch(TimeSpan.Zero);
        await Eventually.TrueAsync(() => watch.Method == "pidfd", "the watch waits on a pidfd of the primary");

        await Task.WhenAny(_exited.Task, Task.Delay(TestTimeouts.NoMessage));

        _exited.Task.IsCompleted.Should().BeFalse();
        watch.PrimaryGone.IsCompleted.Should().BeFalse();
    }
}
