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
            ErrorDrainTimeout = TimeSpan.FromMilliseconds(200),
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
