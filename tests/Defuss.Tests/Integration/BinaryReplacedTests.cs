using System.Text.RegularExpressions;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>A deploy replaces the app's files on disk; a rolling restart then runs the new ones, the primary carrying on.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed partial class BinaryReplacedTests
{
    [Fact]
    public async Task RollingRestart_AfterTheAppWasReplacedOnDisk_RunsTheNewFilesWithTheSameProtocol()
    {
        var deployed = Directory.CreateTempSubdirectory("defuss-deploy-test-").FullName;
        try
        {
            var built = Path.GetDirectoryName(DefussProcess.HelloPath)!;
            foreach (var file in Directory.EnumerateFiles(built))
            {
                File.Copy(file, Path.Combine(deployed, Path.GetFileName(file)));
            }

            var app = Path.Combine(deployed, Path.GetFileName(DefussProcess.HelloPath));
            await using var primary = await DefussProcess.StartAppAsync(app);
            var (pid0, pid1) = await primary.ReadyPidsAsync();
            var before = MappedInode(pid0, app);

            // A deploy writes a new file in place of the old one (a new inode), as a package manager or a copy does.
            File.Delete(app);
            File.Copy(Path.Combine(built, Path.GetFileName(app)), app);
            Native.Kill(primary.Pid, Native.SIGHUP);
            await primary.WaitForLineAsync("Rolling restart done: 2 workers replaced");

            // The restart is done once each old process has exited after its replacement was ready.
            var after = primary.WorkerPids.Where(Native.IsAlive).Except([pid0, pid1]).ToArray();
            after.Should().HaveCount(2, "both workers were replaced");
            after.Should().OnlyContain(pid => MappedInode(pid, app) != before, "the new workers run the file now on disk");
            (await HttpTestClient.GetOnNewConnectionAsync(primary.BaseAddress, "/")).Should().Be("hello");
            primary.Output.Should().NotContain("control protocol");
        }
        finally
        {
            Directory.Delete(deployed, recursive: true);
        }
    }

    /// <summary>The inode of <paramref name="path"/> as process <paramref name="pid"/> has it mapped (the runtime maps the assemblies it loads).</summary>
    private static string MappedInode(int pid, string path)
    {
        var line = File.ReadLines($"/proc/{pid}/maps").First(l => l.Contains(path, StringComparison.Ordinal));
        return MapsLine().Match(line).Groups[1].Value;
    }

    [GeneratedRegex(@"^\S+ \S+ \S+ \S+ (\d+)")]
    private static partial Regex MapsLine();
}
