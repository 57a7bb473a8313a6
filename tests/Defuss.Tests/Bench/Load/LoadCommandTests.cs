using System.Reflection;
using System.Text;
using System.Text.Json;
using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Bench.Load;

/// <summary>The load benchmark run for real, as a user runs it, on a tiny budget.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed class LoadCommandTests : IDisposable
{
    /// <summary>Set in the bench's environment, inherited by everything it starts: what finds a process it left behind.</summary>
    private const string MarkerVariable = "BENCH_TEST_MARKER";

    private static readonly string BenchPath =
        typeof(LoadCommandTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BenchPath").Value!;

    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("defuss-bench-test-");

    [Fact]
    public async Task Load_PlainAndHandoffForASecond_WritesTheReportsAndLeavesNoProcess()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        var console = await DotnetCommand.RunAsync(
            _output.FullName,
            new Dictionary<string, string> { [MarkerVariable] = marker },
            deadline.Token,
            BenchPath, "load", "--scenarios=get", "--topologies=plain,handoff", "--duration=1", "--rounds=1", "--warmup=0", "--out", _output.FullName);

        console.Should().Contain("round 1/1 · get · plain").And.Contain("round 1/1 · get · handoff");
        ProcessesMarked(marker).Should().BeEmpty("every process the bench started is stopped before it exits");

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_output.FullName, "latest.json")));
        var root = json.RootElement;
        root.GetProperty("failures").GetArrayLength().Should().Be(0, console);
        root.GetProperty("skipped").GetArrayLength().Should().Be(0, console);
        root.GetProperty("settings").GetProperty("durationSeconds").GetInt32().Should().Be(1);

        var results = root.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("topology").GetString()!);
        results.Keys.Should().BeEquivalentTo("plain", "handoff");
        foreach (var row in results.Values)
        {
            row.GetProperty("scenario").GetString().Should().Be("get");
            row.GetProperty("requestsPerSecond").GetDouble().Should().BePositive();
            row.GetProperty("p99Ms").GetDouble().Should().BeGreaterThanOrEqualTo(row.GetProperty("p50Ms").GetDouble());
            row.GetProperty("errors").GetInt64().Should().Be(0, console);
            row.GetProperty("rounds").GetArrayLength().Should().Be(1);
        }

        results["plain"].GetProperty("ratioToPlain").GetDouble().Should().Be(1);
        results["plain"].GetProperty("frontCpuUsPerRequest").ValueKind.Should().Be(JsonValueKind.Null);
        results["handoff"].GetProperty("ratioToPlain").GetDouble().Should().BePositive();
        results["handoff"].GetProperty("frontCpuUsPerRequest").ValueKind.Should().Be(JsonValueKind.Number, "the primary's CPU is read from /proc");
        results["handoff"].GetProperty("frontRssBytes").GetInt64().Should().BeGreaterThan(10L * 1024 * 1024);

        var lifecycle = root.GetProperty("lifecycle");
        lifecycle.GetProperty("workers").GetInt32().Should().Be(2);
        lifecycle.GetProperty("startupMs").GetDouble().Should().BePositive();
        lifecycle.GetProperty("respawnMs").GetDouble().Should().BePositive();
        lifecycle.GetProperty("primaryRssBytes").GetInt64().Should().BeGreaterThan(10L * 1024 * 1024);

        (await File.ReadAllTextAsync(Path.Combine(_output.FullName, "latest.md"))).Should().Contain("| get | plain |");
        (await File.ReadAllTextAsync(Path.Combine(_output.FullName, "latest.svg"))).Should().Contain("data-topology=\"handoff\"");
    }

    [Fact]
    public async Task Load_BadOptions_ExitsWithTwoNamingEveryBadValue()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var run = () => DotnetCommand.RunAsync(_output.FullName, null, deadline.Token, BenchPath, "load", "--duration=0", "--topologies=plain,apache");

        var failure = await run.Should().ThrowAsync<InvalidOperationException>();
        failure.Which.Message.Should().Contain("exited with code 2")
            .And.Contain("--duration: '0' is not a whole number of seconds from 1 to 3600")
            .And.Contain("--topologies: unknown topology 'apache'");
        _output.EnumerateFiles().Should().BeEmpty("nothing runs with a bad option");
    }

    public void Dispose() => _output.Delete(recursive: true);

    /// <summary>The live processes (of this user) whose environment holds the marker.</summary>
    private static List<int> ProcessesMarked(string marker)
    {
        var needle = Encoding.UTF8.GetBytes($"{MarkerVariable}={marker}");
        var marked = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || !Native.IsAlive(pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllBytes(Path.Combine(directory, "environ")).AsSpan().IndexOf(needle) >= 0)
                {
                    marked.Add(pid);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Another user's process, or one that just ended: not the bench's.
            }
        }

        return marked;
    }
}
