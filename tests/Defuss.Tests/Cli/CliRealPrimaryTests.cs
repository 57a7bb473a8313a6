extern alias cli;

using System.Diagnostics;
using System.Text.RegularExpressions;
using cli::Defuss.Cli;
using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Cli;

/// <summary>The <c>defuss</c> tool against a real primary (the Showcase, 2 workers), found through its local admin socket.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed class CliRealPrimaryTests
{
    [Fact]
    public async Task Tool_AgainstARunningPrimary_ListsFollowsLogsAndReloadsIt()
    {
        await using var primary = await DefussProcess.StartAsync();
        var (pid0, pid1) = await primary.ReadyPidsAsync();
        var environment = new CliEnvironment
        {
            AdminDirectory = primary.AdminDirectory,
            GetVariable = _ => null,
            RefreshInterval = TimeSpan.FromMilliseconds(200),
        };

        using (var console = new CliConsole())
        {
            (await DefussCli.RunAsync(["ls"], console, environment, CancellationToken.None).WaitAsync(TestTimeouts.Default)).Should().Be(0, console.Text);
            console.Text.Should().Contain(primary.Pid.ToString()).And.Contain(pid0.ToString()).And.Contain(pid1.ToString()).And.Contain("Ready")
                .And.Contain($"127.0.0.1:{primary.Port}");
        }

        using (var console = new CliConsole())
        {
            (await DefussCli.RunAsync(["logs", "--worker", "1", "--lines", "100"], console, environment, CancellationToken.None).WaitAsync(TestTimeouts.Default)).Should().Be(0, console.Text);
            console.Text.Should().Contain($"[w1 {pid1}]").And.NotContain($"[w0 {pid0}]");
        }

        using (var console = new CliConsole())
        {
            var top = DefussCli.RunAsync(["top"], console, environment, CancellationToken.None);
            await console.WaitForTextAsync(pid1.ToString()).WaitAsync(TestTimeouts.Default);
            console.PushKey('q');
            (await top.WaitAsync(TestTimeouts.Default)).Should().Be(0, console.Text);
            console.CursorVisible.Should().BeTrue("top leaves the terminal clean");
        }

        using (var console = new CliConsole())
        {
            (await DefussCli.RunAsync(["reload"], console, environment, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60))).Should().Be(0, console.Text);
            console.Text.Should().Contain("Reloaded 2 workers");
        }

        using var admin = primary.AdminClient();
        (await admin.StatusAsync()).GetProperty("workers").EnumerateArray().Select(w => w.GetProperty("pid").GetInt32()).Should().NotIntersectWith([pid0, pid1]);
    }

    [Fact]
    public async Task ToolProcess_FindsThePrimaryThroughTheAdminDirectory()
    {
        await using var primary = await DefussProcess.StartAsync();
        var (pid0, pid1) = await primary.ReadyPidsAsync();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Defuss.Cli.dll"));
        start.ArgumentList.Add("ls");
        start.Environment[DefussProcess.AdminDirectoryVariable] = primary.AdminDirectory;
        using var tool = Process.Start(start)!;
        var output = tool.StandardOutput.ReadToEndAsync();
        var errors = tool.StandardError.ReadToEndAsync();
        try
        {
            await tool.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!tool.HasExited)
            {
                tool.Kill();
            }
        }

        tool.ExitCode.Should().Be(0, await errors);
        Regex.Replace(await output, @"\s+", " ").Should().Contain(primary.Pid.ToString()).And.Contain(pid0.ToString()).And.Contain(pid1.ToString());
    }
}
