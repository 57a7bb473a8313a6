using Defuss.Processes;

namespace Defuss.Tests.Processes;

public sealed class WorkerCommandLineTests
{
    [Fact]
    public void Current_InTestHost_NamesAnExistingProgram()
    {
        var command = WorkerCommandLine.Current();

        File.Exists(command.FileName).Should().BeTrue(command.ToString());
        if (Path.GetFileNameWithoutExtension(command.FileName) == "dotnet")
        {
            File.Exists(command.Arguments[0]).Should().BeTrue("under the muxer the entry assembly comes first: " + command);
        }
    }

    [Fact]
    public void FromProcess_UnderDotnetMuxer_RunsEntryAssemblyThenUserArguments()
    {
        // What `dotnet /app/app.dll a "b c"` shows: element 0 is the assembly, not the muxer.
        var command = WorkerCommandLine.FromProcess("/usr/share/dotnet/dotnet", "/app/app.dll", ["/app/app.dll", "a", "b c"]);

        command.Should().Be(new WorkerCommandLine("/usr/share/dotnet/dotnet", "/app/app.dll", "a", "b c"));
    }

    [Fact]
    public void FromProcess_UnderWindowsMuxer_RunsEntryAssemblyThenUserArguments()
    {
        // Forward slashes, so that the path splits the same way on the Linux test machine as on Windows.
        var command = WorkerCommandLine.FromProcess("C:/Program Files/dotnet/DOTNET.EXE", "C:/app/app.dll", ["C:/app/app.dll", "a"]);

        command.Arguments.Should().Equal("C:/app/app.dll", "a");
    }

    [Fact]
    public void FromProcess_UnderAppHost_RunsExecutableWithUserArguments()
    {
        // What `./app a "b c"` shows: element 0 is still the assembly, and the executable is ProcessPath.
        var command = WorkerCommandLine.FromProcess("/app/app", "/app/app.dll", ["/app/app.dll", "a", "b c"]);

        command.Should().Be(new WorkerCommandLine("/app/app", "a", "b c"));
    }

    [Fact]
    public void FromProcess_AppHostNamedLikeMuxer_IsAnAppHost()
    {
        var command = WorkerCommandLine.FromProcess("/app/dotnet-app", "/app/dotnet-app.dll", ["/app/dotnet-app.dll"]);

        command.Should().Be(new WorkerCommandLine("/app/dotnet-app"));
    }

    [Fact]
    public void FromProcess_SingleFileApp_RunsExecutable()
    {
        // A single-file app has no assembly path; element 0 is then the executable.
        var command = WorkerCommandLine.FromProcess("/app/app", "", ["/app/app", "x"]);

        command.Should().Be(new WorkerCommandLine("/app/app", "x"));
    }

    [Fact]
    public void FromProcess_WithoutProcessPath_Throws()
    {
        var act = () => WorkerCommandLine.FromProcess(null, "/app/app.dll", ["/app/app.dll"]);

        act.Should().Throw<InvalidOperationException>().WithMessage("*ProcessPath*");
    }

    [Fact]
    public void FromProcess_UnderMuxerWithoutEntryAssembly_Throws()
    {
        var act = () => WorkerCommandLine.FromProcess("/usr/bin/dotnet", null, ["x"]);

        act.Should().Throw<InvalidOperationException>().WithMessage("*/usr/bin/dotnet*entry assembly*");
    }

    [Fact]
    public void Constructor_CopiesArguments()
    {
        var arguments = new List<string> { "a" };
        var command = new WorkerCommandLine("/bin/echo", arguments);

        arguments.Add("b");

        command.Arguments.Should().Equal("a");
    }

    [Fact]
    public void Equals_SameProgramAndArguments_AreEqualWithEqualHashes()
    {
        var left = new WorkerCommandLine("/bin/echo", "a", "b");
        var right = new WorkerCommandLine("/bin/echo", new List<string> { "a", "b" });

        left.Should().Be(right);
        left.GetHashCode().Should().Be(right.GetHashCode());
        left.Should().NotBe(new WorkerCommandLine("/bin/echo", "a"));
    }

    [Fact]
    public void ToString_QuotesArgumentsThatNeedIt()
    {
        new WorkerCommandLine("/bin/echo", "a", "b c", "", "d\"e").ToString()
            .Should().Be("/bin/echo a \"b c\" \"\" \"d\\\"e\"");
    }

    [Fact]
    public void ToStartInfo_PassesEachArgumentAsIs()
    {
        var startInfo = new WorkerCommandLine("/bin/echo", "b c", "\"q\"").ToStartInfo();

        startInfo.FileName.Should().Be("/bin/echo");
        startInfo.ArgumentList.Should().Equal("b c", "\"q\"");
        startInfo.UseShellExecute.Should().BeFalse();
    }
}
