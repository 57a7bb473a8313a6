using Defuss.FrontDoor;
using Defuss.Telemetry;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.FrontDoor;

/// <summary>What the waiter keeps of a head: nothing once it has its result, and no more bytes than the budget.</summary>
public sealed partial class LateHeadWaiterTests
{
    [Fact]
    public async Task Add_HeadCompletesLongBeforeItsDeadline_NothingOfItIsKept()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var completions = new Completions();
        using var waiter = new LateHeadWaiter(MaxHeaderBytes, TimeProvider.System, completions.Complete);
        var head = new RawHead(connection.Connection, MaxHeaderBytes, TimeProvider.System.GetTimestamp() + TimeProvider.System.TimestampFrequency * 300, waiter.Budget);
        connection.Send("GET /kept HTTP/1.1\r\n");
        connection.WaitReadable();
        head.Step(new byte[MaxHeaderBytes]).Should().BeNull();
        waiter.Add(head);
        waiter.Budget.Held.Should().Be(RawHead.MinBufferBytes);

        connection.Send("\r\n");
        await completions.Of(1);

        waiter.Tracked.Should().Be(0, "a completed head's deadline is dropped with it, not kept for five minutes");
        waiter.Budget.Held.Should().Be(0, "its buffer went back at once");
    }

    [Fact]
    public async Task Add_HeadsBeyondTheBudget_AreRoutedWithTheirHeadSoFar_CountedAndLogged()
    {
        using var first = await RawLoopbackConnection.OpenAsync(1);
        using var second = await RawLoopbackConnection.OpenAsync(2);
        using var logs = new ListLoggerProvider();
        using var recorder = new MetricsRecorder();
        using var metrics = new DefussMetrics(recorder.MeterFactory);
        var completions = new Completions();
        using var waiter = new LateHeadWaiter(MaxHeaderBytes, TimeProvider.System, completions.Complete, logs.CreateLogger("LateHeadWaiterTests"), metrics, budgetBytes: 5 * RawHead.MinBufferBytes / 2);
        var peekBuffer = new byte[MaxHeaderBytes];
        foreach (var connection in new[] { first, second })
        {
            var head = new RawHead(connection.Connection, MaxHeaderBytes, TimeProvider.System.GetTimestamp() + TimeProvider.System.TimestampFrequency * 300, waiter.Budget);
            connection.Send("GET /" + connection.Connection.Id + " HTTP/1.1\r\n");
            connection.WaitReadable();
            head.Step(peekBuffer).Should().BeNull();
            waiter.Add(head);
        }

        recorder.Observe("defuss.handoff.heads.memory").Should().Be(2 * RawHead.MinBufferBytes);
        // The first head needs 4 KiB now, 2 more than it holds, and the budget has 1 left: it is routed with the 2 KiB it has.
        first.Send("X-Big: " + new string('x', 3000));
        var (result, _) = await completions.Of(1);

        result.Prefix.Length.Should().Be(RawHead.MinBufferBytes);
        result.Request.Path.Should().Be("/1");
        (await logs.WaitForAsync(e => e.EventId.Id == 3043)).Message.Should().Contain("1 connections since the last report were routed with the part of their head that had arrived");
        recorder.Total("defuss.handoff.heads.over_budget").Should().Be(1);
        completions.Has(2).Should().BeFalse("the other head still fits, and waits");
        waiter.Budget.Held.Should().Be(RawHead.MinBufferBytes);
    }
}
