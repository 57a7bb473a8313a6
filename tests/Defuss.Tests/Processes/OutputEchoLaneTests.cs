using Defuss.Processes;
using Defuss.Telemetry;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Processes;

/// <remarks>
/// In the real-process collection: its meters are named <c>Defuss</c>, like the primary's that the OpenTelemetry test
/// exports, and OpenTelemetry listens to every meter of that name in the process.
/// </remarks>
[Collection(Defuss.Tests.Integration.ShowcaseCollection.Name)]
public sealed class OutputEchoLaneTests : IDisposable
{
    private const int Capacity = 64 * 1024;

    private readonly GatedTextWriter _console = new();
    private readonly ListLoggerProvider _logs = new();
    private readonly MetricsRecorder _recorder = new();
    private readonly DefussMetrics _metrics;
    private readonly ManualTimeProvider _time = new();
    private readonly OutputEchoLane _lane;

    public OutputEchoLaneTests()
    {
        _metrics = new DefussMetrics(_recorder.MeterFactory);
        _lane = new OutputEchoLane("stderr", _console, Capacity, _logs.CreateLogger("Defuss"), _metrics, _time);
    }

    public void Dispose()
    {
        _console.Dispose();
        _metrics.Dispose();
        _recorder.Dispose();
        _logs.Dispose();
    }

    private static string Line(int i) => $"line {i:D6} " + new string('x', 100);

    private static int CostOf(string line) => RecentLines.LineOverhead + (line.Length * sizeof(char));

    [Fact]
    public async Task TryWrite_TheConsoleBlocks_NeverWaitsAndDropsWhatTheQueueCannotHold()
    {
        var written = await Task.Run(() => Enumerable.Range(0, 10_000).Count(i => _lane.TryWrite([Line(i)]))).WaitAsync(TestTimeouts.Default);
        await Eventually.TrueAsync(() => _console.HasBlockedWriter, "the writer thread is blocked in the console");

        // The queue holds what fits, and the writer the batch it took before it blocked (at most BatchChars characters).
        var queued = Capacity / CostOf(Line(0));
        written.Should().BeInRange(queued, queued + (OutputEchoLane.BatchChars / Line(0).Length) + 1);
        _lane.Dropped.Should().Be(10_000 - written);
        _recorder.Total("defuss.worker.output.dropped").Should().Be(10_000 - written);
        _recorder.Measurements.Should().OnlyContain(m => m.Tags.Contains(new KeyValuePair<string, object?>(DefussMetrics.OutputStreamTag, "stderr")));
    }

    [Fact]
    public async Task TheConsoleUnblocks_TheQueuedLinesComeOutInOrderAndTheDropsAreReportedOnce()
    {
        var written = Enumerable.Range(0, 5_000).Where(i => _lane.TryWrite([Line(i)])).Select(Line).ToList();
        await Eventually.TrueAsync(() => _console.HasBlockedWriter, "the writer thread is blocked in the console");

        _console.Open();
        await _lane.WhenDrainedAsync().WaitAsync(TestTimeouts.Default);

        _console.Lines.Should().Equal(written);
        var report = (await _logs.WaitForAsync(e => e.EventId.Id == HostEventIds.WorkerOutputDropped)).Message;
        report.Should().StartWith($"{5_000 - written.Count} lines of the workers' stderr were not echoed: the primary's own stderr did not keep up");
    }

    [Fact]
    public async Task APiece_IsWrittenWholeOrDroppedWhole_AndADroppedPieceCountsEachOfItsLines()
    {
        _console.Open();
        string[] piece = [Line(0), Line(1), Line(2)];
        var tooBig = Enumerable.Range(10, (Capacity / CostOf(Line(0))) + 1).Select(Line).ToArray();

        _lane.TryWrite(piece).Should().BeTrue();
        _lane.TryWrite(tooBig).Should().BeFalse("no part of a piece is written when the queue cannot hold all of it");
        _lane.TryWrite([Line(3)]).Should().BeTrue();
        await _lane.WhenDrainedAsync().WaitAsync(TestTimeouts.Default);

        _console.Lines.Should().Equal(Line(0), Line(1), Line(2), Line(3));
        _lane.Dropped.Should().Be(tooBig.Length);
        _recorder.Total("defuss.worker.output.dropped").Should().Be(tooBig.Length);
    }

    [Fact]
    public async Task DropsAgainWithinTheInterval_AreReportedOnlyOnceItHasPassed()
    {
        await DropAndReportOnceAsync();
        var before = _lane.Dropped;
        _ = Enumerable.Range(0, 2_000).Count(i => _lane.TryWrite([Line(i)]));
        await Eventually.TrueAsync(() => _console.HasBlockedWriter, "the writer thread is blocked in the console again");
        var droppedAgain = _lane.Dropped - before;
        _console.Open();
        await _lane.WhenDrainedAsync().WaitAsync(TestTimeouts.Default);

        _logs.Entries.Count(e => e.EventId.Id == HostEventIds.WorkerOutputDropped).Should().Be(1, "the second report is not due yet");

        _time.Advance(OutputEchoLane.ReportInterval);
        _lane.TryWrite(["one more line"]).Should().BeTrue();

        (await _logs.WaitForAsync(e => e.EventId.Id == HostEventIds.WorkerOutputDropped && e.Message.StartsWith($"{droppedAgain} lines", StringComparison.Ordinal))).Should().NotBeNull();
    }

    [Fact]
    public async Task ReportRemainingDrops_AtStop_ReportsWhatTheIntervalHeldBack()
    {
        await DropAndReportOnceAsync();
        _ = Enumerable.Range(0, 2_000).Count(i => _lane.TryWrite([Line(i)]));
        await Eventually.TrueAsync(() => _console.HasBlockedWriter, "the writer thread is blocked in the console again");
        _console.Open();
        await _lane.WhenDrainedAsync().WaitAsync(TestTimeouts.Default);

        _lane.ReportRemainingDrops();

        _logs.Entries.Count(e => e.EventId.Id == HostEventIds.WorkerOutputDropped).Should().Be(2);
    }

    /// <summary>Floods the lane while the console is blocked, lets the first drop report through, and shuts the console again.</summary>
    private async Task DropAndReportOnceAsync()
    {
        _ = Enumerable.Range(0, 2_000).Count(i => _lane.TryWrite([Line(i)]));
        await Eventually.TrueAsync(() => _console.HasBlockedWriter, "the writer thread is blocked in the console");
        _console.Open();
        await _logs.WaitForAsync(e => e.EventId.Id == HostEventIds.WorkerOutputDropped);
        await _lane.WhenDrainedAsync().WaitAsync(TestTimeouts.Default);
        _console.Shut();
    }
}
