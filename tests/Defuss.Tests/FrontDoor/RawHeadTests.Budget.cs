using System.Text;
using Defuss.FrontDoor;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.FrontDoor;

/// <summary>What a late head holds of the head budget, and what happens when the budget is spent.</summary>
public sealed partial class RawHeadTests
{
    private static RawHead BudgetedHead(RawLoopbackConnection connection, HeadBudget budget) =>
        new(connection.Connection, MaxHeaderBytes, TimeProvider.System.GetTimestamp() + TimeProvider.System.TimestampFrequency * 60, budget);

    [Fact]
    public async Task Step_LateHead_BufferStartsSmall_GrowsAsBytesCome_AndGoesBackWithTheResult()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var budget = new HeadBudget(1024 * 1024);
        var head = BudgetedHead(connection, budget);
        var peekBuffer = new byte[MaxHeaderBytes];
        connection.Send("GET /grow HTTP/1.1\r\n");
        connection.WaitReadable();

        head.Step(peekBuffer).Should().BeNull();
        head.BufferBytes.Should().Be(RawHead.MinBufferBytes, "a late head does not cost MaxHeaderBytes");
        budget.Held.Should().Be(RawHead.MinBufferBytes);
        connection.Send("X-Long: " + new string('a', 3000) + "\r\n");
        connection.WaitReadable();
        head.Step(peekBuffer).Should().BeNull();
        head.BufferBytes.Should().Be(4096);
        budget.Held.Should().Be(4096);
        connection.Send("\r\n");
        var result = StepUntilResult(head, connection, peekBuffer);

        Text(result.Prefix).Should().StartWith("GET /grow HTTP/1.1\r\nX-Long: aaa").And.EndWith("\r\n\r\n");
        head.BufferBytes.Should().Be(0);
        budget.Held.Should().Be(0, "the buffer goes back the moment the head is complete");
        head.OverBudget.Should().BeFalse();
    }

    [Fact]
    public async Task Step_BudgetSpent_RoutesAtOnceWithThePeekedPart_LeavingItInTheSocket()
    {
        using var holder = await RawLoopbackConnection.OpenAsync(1);
        using var late = await RawLoopbackConnection.OpenAsync(2);
        var budget = new HeadBudget(RawHead.MinBufferBytes);
        var peekBuffer = new byte[MaxHeaderBytes];
        holder.Send("GET /first HTTP/1.1\r\n");
        holder.WaitReadable();
        BudgetedHead(holder, budget).Step(peekBuffer).Should().BeNull("the first late head takes the whole budget");
        const string Partial = "GET /second HTTP/1.1\r\nHost: sec";
        late.Send(Partial);
        late.WaitReadable();
        var head = BudgetedHead(late, budget);

        var result = head.Step(peekBuffer);

        result.Should().NotBeNull("a head the budget cannot hold is not waited for");
        result!.Value.Request.Path.Should().Be("/second");
        result.Value.Prefix.IsEmpty.Should().BeTrue("nothing was read off: the worker gets it all from the socket");
        head.OverBudget.Should().BeTrue();
        budget.Exceeded.Should().Be(1);
        budget.Held.Should().Be(RawHead.MinBufferBytes, "the refused head took nothing");
        Encoding.ASCII.GetString(TestDescriptors.ReceiveExactly(late.Fd, Partial.Length)).Should().Be(Partial);
    }

    [Fact]
    public async Task Step_HeadOutgrowsTheBudget_RoutesWithWhatWasRead()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var budget = new HeadBudget(RawHead.MinBufferBytes);
        var head = BudgetedHead(connection, budget);
        var peekBuffer = new byte[MaxHeaderBytes];
        connection.Send("GET /big HTTP/1.1\r\n");
        connection.WaitReadable();
        head.Step(peekBuffer).Should().BeNull();

        connection.Send("X-Big: " + new string('b', 4000));
        var result = StepUntilResult(head, connection, peekBuffer);

        result.Prefix.Length.Should().Be(RawHead.MinBufferBytes, "the head stops where the budget did");
        result.Request.Path.Should().Be("/big");
        head.OverBudget.Should().BeTrue();
        budget.Held.Should().Be(0);
        TestDescriptors.Pending(connection.Fd).Should().Be(19 + 7 + 4000 - RawHead.MinBufferBytes, "the rest stays in the socket for the worker");
    }
}
