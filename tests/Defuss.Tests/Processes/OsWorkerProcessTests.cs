using System.Diagnostics;
using Defuss.Actors.Workers;
using Defuss.Processes;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static Defuss.Tests.TestSupport.ShellWorkers;

namespace Defuss.Tests.Processes;

public sealed class OsWorkerProcessTests
{
    [Fact]
    public async Task Kill_RunningProcess_ExitsWithSigkill()
    {
        var worker = Launcher("exec sleep 60").Launch(Request());
        try
        {
            worker.Kill();

            (await worker.Exited.WaitAsync(WaitLimit)).Should().Be(new WorkerExit(137, "SIGKILL"));
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task Terminate_RunningProcess_ExitsWithSigterm()
    {
        var worker = Launcher("exec sleep 60").Launch(Request());
        try
        {
            worker.Terminate();

            (await worker.Exited.WaitAsync(WaitLimit)).Should().Be(new WorkerExit(143, "SIGTERM"));
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task Terminate_ProcessHandlingSigterm_LetsItShutDownGracefully()
    {
        var echo = new LineRecorder();
        // The shell runs its trap once the short foreground sleep ends; it starts no background job that it
        // could fail to stop (dash can lose a signal sent to a job that has not yet run exec).
        var script = "trap 'echo stopping >&2; exit 0' TERM; echo ready >&2; while :; do sleep 0.1; done";
        var worker = Launcher(script, echo).Launch(Request());
        try
        {
            await echo.WaitForLineAsync(l => l == "ready").WaitAsync(WaitLimit);

            worker.Terminate();

            (await worker.Exited.WaitAsync(WaitLimit)).Should().Be(new WorkerExit(0, null));
            worker.RecentErrorOutput.Should().Equal("ready", "stopping");
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task KillAndTerminate_AfterExit_DoNothing()
    {
        var worker = Launcher("exit 0").Launch(Request());
        try
        {
            await worker.Exited.WaitAsync(WaitLimit);

            var act = () =>
            {
                worker.Kill();
                worker.Terminate();
                worker.Kill();
            };

            act.Should().NotThrow();
            (await worker.Exited).Should().Be(new WorkerExit(0, null));
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task Exited_GrandchildHoldsErrorOutputOpen_CompletesAfterTheDrainTimeout()
    {
        var echo = new LineRecorder();
        var launcher = new OsWorkerProcessLauncher(
            new WorkerCommandLine("/bin/sh", "-c", "sleep 60 & echo $! >&2; exit 4"),
            NullLogger<OsWorkerProcessLauncher>.Instance,
            echo)
        {
            OutputDrainTimeout = TimeSpan.FromMilliseconds(200),
        };
        var worker = launcher.Launch(Request());
        int? grandchildPid = null;
        try
        {
            grandchildPid = int.Parse(await echo.WaitForLineAsync(l => int.TryParse(l, out _)).WaitAsync(WaitLimit));

            (await worker.Exited.WaitAsync(WaitLimit)).Should().Be(new WorkerExit(4, null));
            worker.RecentErrorOutput.Should().Equal(grandchildPid.Value.ToString());
        }
        finally
        {
            worker.Kill();
            if (grandchildPid is { } pid)
            {
                await KillGrandchildAsync(pid);
            }
        }
    }

    [Fact]
    public async Task Launch_WorkerFloodsBothStreamsWhileTheConsoleBlocks_TheWorkerIsNeverHeldUp()
    {
        using var output = new GatedTextWriter();
        using var errors = new GatedTextWriter();
        var script = "head -c 20000000 /dev/zero | tr '\\0' x; "
            + "i=0; while [ $i -lt 5000 ]; do echo err-line-$i >&2; i=$((i+1)); done; "
            + "head -c 20000000 /dev/zero | tr '\\0' y >&2; echo >&2; echo last >&2";
        var launcher = new OsWorkerProcessLauncher(
            new WorkerCommandLine("/bin/sh", "-c", script),
            NullLogger<OsWorkerProcessLauncher>.Instance,
            new WorkerOutputEcho(output, errors, NullLogger.Instance));
        var worker = launcher.Launch(Request());
        try
        {
            (await worker.Exited.WaitAsync(TestTimeouts.Bulk)).Should().Be(new WorkerExit(0, null), "the worker never waits for the primary's console");

            output.HasBlockedWriter.Should().BeTrue("the primary's console took nothing all along");
            worker.RecentErrorOutput[^1].Should().Be("last");
            worker.RecentErrorOutput.Sum(l => RecentLines.LineOverhead + (l.Length * sizeof(char))).Should().BeLessThanOrEqualTo(OsWorkerProcess.RecentErrorBytes);
            worker.RecentErrorOutput.Should().OnlyContain(l => l.Length <= OutputLineSplitter.MaxLineChars + 12);
            worker.RecentErrorOutput[^3].Should().StartWith(OutputLineSplitter.ContinuationMarker + "yyyy", "a 20 MB line is cut into marked pieces");
        }
        finally
        {
            output.Open();
            errors.Open();
            worker.Kill();
        }
    }

    [Fact]
    public async Task Kill_AWorkerLeadingItsProcessGroup_KillsWhatItStartedToo()
    {
        var echo = new LineRecorder();
        var worker = Launcher("exec setsid sh -c 'sleep 60 & echo $! >&2; wait'", echo).Launch(Request());
        var child = 0;
        try
        {
            child = int.Parse(await echo.WaitForLineAsync(l => int.TryParse(l, out _)).WaitAsync(WaitLimit));

            worker.Kill();

            (await worker.Exited.WaitAsync(WaitLimit)).Signal.Should().Be("SIGKILL");
            await WaitUntilGoneAsync(child);
        }
        finally
        {
            worker.Kill();
            await KillIfSleepAsync(child);
        }
    }

    [Fact]
    public async Task Exited_AWorkerLeavesProcessesInItsGroup_TheyAreKilledAndTheExitIsReportedAtOnce()
    {
        var echo = new LineRecorder();
        using var logs = new ListLoggerProvider();
        var launcher = new OsWorkerProcessLauncher(
            new WorkerCommandLine("/bin/sh", "-c", "exec setsid sh -c 'sleep 60 & echo $! >&2; exit 4'"),
            new Microsoft.Extensions.Logging.Logger<OsWorkerProcessLauncher>(logs),
            new WorkerOutputEcho(TextWriter.Null, echo, NullLogger.Instance))
        {
            OutputDrainTimeout = TimeSpan.FromMinutes(5),
        };
        var worker = launcher.Launch(Request());
        var child = 0;
        try
        {
            child = int.Parse(await echo.WaitForLineAsync(l => int.TryParse(l, out _)).WaitAsync(WaitLimit));

            (await worker.Exited.WaitAsync(WaitLimit)).Should().Be(new WorkerExit(4, null), "the leftover held the output open, and went with the worker's group");

            await WaitUntilGoneAsync(child);
            logs.Entries.Should().ContainSingle(e => e.EventId.Id == HostEventIds.LeftoverProcessesKilled)
                .Which.Message.Should().Be($"Process {worker.Pid} of worker 0 exited and left processes in its process group; they were killed");
        }
        finally
        {
            worker.Kill();
            await KillIfSleepAsync(child);
        }
    }

    [Fact]
    public async Task Exited_AWorkerThatLeftNothingBehind_KillsNothingAndSaysNothing()
    {
        using var logs = new ListLoggerProvider();
        var launcher = new OsWorkerProcessLauncher(
            new WorkerCommandLine("/bin/sh", "-c", "exec setsid sh -c 'exit 0'"),
            new Microsoft.Extensions.Logging.Logger<OsWorkerProcessLauncher>(logs),
            WorkerOutputEcho.Discard(NullLogger.Instance));
        var worker = launcher.Launch(Request());

        (await worker.Exited.WaitAsync(WaitLimit)).Should().Be(new WorkerExit(0, null));

        logs.Entries.Should().NotContain(e => e.EventId.Id == HostEventIds.LeftoverProcessesKilled || e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    private static async Task WaitUntilGoneAsync(int pid)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (Native.IsAlive(pid))
        {
            DateTime.UtcNow.Should().BeBefore(deadline, $"process {pid} should have been killed with its group");
            await Native.ProcessExitPollAsync();
        }
    }

    private static async Task KillIfSleepAsync(int pid)
    {
        if (pid > 0 && Native.IsAlive(pid))
        {
            await KillGrandchildAsync(pid);
        }
    }

    // Our child started it and it lives for 60 s, so the pid is still its own. It is `sh` until it has run exec.
    private static async Task KillGrandchildAsync(int pid)
    {
        using var grandchild = Process.GetProcessById(pid);
        if (grandchild.ProcessName is "sleep" or "sh")
        {
            grandchild.Kill();
            await grandchild.WaitForExitAsync().WaitAsync(WaitLimit);
        }
    }
}
