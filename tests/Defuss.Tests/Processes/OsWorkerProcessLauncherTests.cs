using Defuss.Actors.Workers;
using Defuss.Processes;
using Defuss.Tests.TestSupport;
using static Defuss.Tests.TestSupport.ShellWorkers;

namespace Defuss.Tests.Processes;

public sealed class OsWorkerProcessLauncherTests
{
    [Fact]
    public async Task Launch_ChildExitsWithCode_ExitedCarriesItWithoutSignal()
    {
        var worker = Launcher("exit 3").Launch(Request());
        try
        {
            (await worker.Exited.WaitAsync(WaitLimit)).Should().Be(new WorkerExit(3, null));
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task Launch_Pid_IsTheChildsPid()
    {
        var worker = Launcher("echo $$ >&2").Launch(Request());
        try
        {
            await worker.Exited.WaitAsync(WaitLimit);

            worker.RecentErrorOutput.Should().Equal(worker.Pid.ToString());
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task Launch_RequestEnvironment_IsAddedToThePrimarysAndOverridesIt()
    {
        var script = "echo \"$DEFUSS_TEST_VALUE\" >&2; echo \"$HOME\" >&2; echo \"$PATH\" >&2";
        var worker = Launcher(script).Launch(Request(("DEFUSS_TEST_VALUE", "hello world"), ("HOME", "/defuss-home")));
        try
        {
            await worker.Exited.WaitAsync(WaitLimit);

            worker.RecentErrorOutput.Should().Equal("hello world", "/defuss-home", Environment.GetEnvironmentVariable("PATH"));
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task Launch_ArgumentsWithSpacesAndQuotes_ReachTheChildUnchanged()
    {
        var command = new WorkerCommandLine("/bin/sh", "-c", "printf '<%s>\\n' \"$@\" >&2", "sh", "a b", "c\"d", "", "e'f");
        var worker = Launcher(command).Launch(Request());
        try
        {
            await worker.Exited.WaitAsync(WaitLimit);

            worker.RecentErrorOutput.Should().Equal("<a b>", "<c\"d>", "<>", "<e'f>");
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task Launch_StandardInput_IsClosed()
    {
        var worker = Launcher("if read line; then echo input >&2; else echo eof >&2; fi").Launch(Request());
        try
        {
            await worker.Exited.WaitAsync(WaitLimit);

            worker.RecentErrorOutput.Should().Equal("eof");
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task Launch_ManyErrorLines_KeepsTheLast64KiBInOrderAndEchoesEvery()
    {
        var echo = new LineRecorder();
        var filler = new string('x', 90);
        var script = $"i=1; while [ $i -le 1000 ]; do echo line$i-{filler} >&2; i=$((i+1)); done";
        var worker = Launcher(script, echo).Launch(Request());
        try
        {
            await worker.Exited.WaitAsync(WaitLimit);

            var expected = Enumerable.Range(1, 1000).Select(i => $"line{i}-{filler}").ToList();
            var kept = 0;
            for (var bytes = 0; kept < expected.Count; kept++)
            {
                bytes += RecentLines.LineOverhead + (expected[^(kept + 1)].Length * sizeof(char));
                if (bytes > OsWorkerProcess.RecentErrorBytes)
                {
                    break;
                }
            }

            worker.RecentErrorOutput.Should().Equal(expected.TakeLast(kept), "the last 64 KiB of error lines are kept");
            await echo.WaitForLineAsync(l => l == expected[^1]).WaitAsync(WaitLimit);
            echo.Lines.Should().Equal(expected);
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task Launch_StandardOutput_IsReadAndEchoedButNotKept()
    {
        var output = new LineRecorder();
        var errors = new LineRecorder();
        var launcher = new OsWorkerProcessLauncher(
            new WorkerCommandLine("/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2"),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<OsWorkerProcessLauncher>.Instance,
            new WorkerOutputEcho(output, errors, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
        var worker = launcher.Launch(Request());
        try
        {
            await worker.Exited.WaitAsync(WaitLimit);

            await output.WaitForLineAsync(l => l == "to-stdout").WaitAsync(WaitLimit);
            await errors.WaitForLineAsync(l => l == "to-stderr").WaitAsync(WaitLimit);
            worker.RecentErrorOutput.Should().Equal("to-stderr");
            output.LabelledLines.Should().Equal($"[w0 {worker.Pid}] to-stdout");
            errors.LabelledLines.Should().Equal($"[w0 {worker.Pid}] to-stderr");
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task Launch_PrimaryPid_IsInTheWorkersEnvironment()
    {
        var worker = Launcher("echo \"$DEFUSS_PRIMARY_PID\" >&2").Launch(Request());
        try
        {
            await worker.Exited.WaitAsync(WaitLimit);

            worker.RecentErrorOutput.Should().Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            worker.Kill();
        }
    }

    [Fact]
    public async Task Launch_ErrorLinesThenExit_ExitedCompletesOnlyAfterTheLastLine()
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var worker = Launcher("i=1; while [ $i -le 200 ]; do echo line$i >&2; i=$((i+1)); done; echo last >&2; exit 1").Launch(Request());
            try
            {
                (await worker.Exited.WaitAsync(WaitLimit)).ExitCode.Should().Be(1);

                worker.RecentErrorOutput[^1].Should().Be("last");
            }
            finally
            {
                worker.Kill();
            }
        }
    }

    [Fact]
    public void Launch_MissingProgram_ThrowsNamingIt()
    {
        var launcher = Launcher(new WorkerCommandLine("/nonexistent/defuss-no-such-program", "--flag"));

        var act = () => launcher.Launch(Request());

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("*worker 0*/nonexistent/defuss-no-such-program --flag*No such file or directory*");
    }
}
