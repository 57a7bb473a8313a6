using System.Text.Json;
using System.Text.RegularExpressions;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>Every line a worker writes reaches the primary's output labelled with its worker index and pid.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed partial class WorkerLogsTests
{
    [Fact]
    public async Task ConsoleLogging_TwoWorkersLoggingExceptionsAtOnce_EveryLineIsLabelledAndNoEntryIsBrokenUp()
    {
        await using var primary = await DefussProcess.StartAppAsync(DefussProcess.HelloPath);
        var (pid0, pid1) = await primary.ReadyPidsAsync();

        // Unhandled exceptions on new connections, round robin over both workers, at once: each one a multi-line entry.
        var failures = Enumerable.Range(0, 40).Select(_ => HttpTestClient.SendOnNewConnectionAsync(primary.BaseAddress, "/fail"));
        (await Task.WhenAll(failures)).Should().OnlyContain(r => r.Status == System.Net.HttpStatusCode.InternalServerError);
        await primary.WaitForLineCountAsync(@"\[w\d+ \d+\] fail: ", 40);
        await primary.WaitForLineCountAsync(@"\[w\d+ \d+\] .*Hello: /fail always fails", 40);

        var lines = primary.Output.Split(Environment.NewLine).Where(l => l.StartsWith("out| ", StringComparison.Ordinal)).Select(l => l[5..]).ToArray();
        var labelled = lines.Select(l => Label().Match(l)).Where(m => m.Success).ToArray();
        labelled.Select(m => m.Groups[1].Value).Distinct().Should().BeEquivalentTo([$"[w0 {pid0}]", $"[w1 {pid1}]"]);
        lines.Should().Contain(l => l.StartsWith($"[w0 {pid0}] fail: ", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith($"[w1 {pid1}] fail: ", StringComparison.Ordinal));
        for (var i = 1; i < lines.Length; i++)
        {
            // A continuation line (indented, as .NET's console formatter writes a message and a stack trace) belongs
            // to the entry above it, so it must come from the same worker.
            if (Label().Match(lines[i]) is { Success: true } line && line.Groups[2].Value.StartsWith(' '))
            {
                lines[i - 1].Should().StartWith(line.Groups[1].Value, "line {0} continues the entry above it: {1}", i, lines[i]);
            }
        }
    }

    [Fact]
    public async Task JsonConsoleLogging_WorkerLines_CarryTheWorkerIndexAndPidAsPropertiesAndStayJson()
    {
        await using var primary = await DefussProcess.StartAppAsync(DefussProcess.HelloPath, "--Logging:Console:FormatterName=json");
        var (pid0, pid1) = await primary.ReadyPidsAsync();

        var entry = await primary.WaitForLineAsync($"^\\{{\"WorkerIndex\":1,\"WorkerPid\":{pid1},.*\"Category\":\"Defuss.Worker.Runtime.WorkerAgent\".*$");
        // Each worker's lines reach the primary on their own: worker 0's may come after worker 1's.
        await primary.WaitForLineAsync($"^\\{{\"WorkerIndex\":0,\"WorkerPid\":{pid0},");

        using var json = JsonDocument.Parse(entry.Value);
        json.RootElement.GetProperty("WorkerPid").GetInt32().Should().Be(pid1);
        json.RootElement.GetProperty("LogLevel").GetString().Should().Be("Information");
        var workerLines = primary.Output.Split(Environment.NewLine).Select(l => l[5..]).Where(l => l.Contains($"\"WorkerPid\":{pid0}", StringComparison.Ordinal)).ToArray();
        workerLines.Should().NotBeEmpty().And.OnlyContain(l => l.StartsWith('{'), "a structured line is labelled inside, not prefixed");
    }

    [GeneratedRegex(@"^(\[w\d+ \d+\]) (.*)$")]
    private static partial Regex Label();
}
