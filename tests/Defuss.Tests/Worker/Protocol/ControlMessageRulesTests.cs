using System.Text;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Worker.Protocol;

public sealed class ControlMessageRulesTests
{
    private static readonly WorkerStats Good = new(4242, 12.5, 1000, 100, 200, 0.5, 0, 3, 1, 5000, 1_767_225_600_000);

    public static TheoryData<object, string> Malformed() => new()
    {
        { new Heartbeat(null!), "without stats" },
        { new Heartbeat(Good with { Pid = 0 }), "pid 0" },
        { new Heartbeat(Good with { CpuPercent = double.NaN }), "percentages" },
        { new Heartbeat(Good with { CpuPercent = -1 }), "percentages" },
        { new Heartbeat(Good with { GcPausePercent = 101 }), "percentages" },
        { new Heartbeat(Good with { WorkingSetBytes = -1 }), "WorkingSetBytes is negative" },
        { new Heartbeat(Good with { ActiveConnections = -5 }), "ActiveConnections is negative" },
        { new Ready(null!), "ready without its endpoint" },
        { new Ready(new string('x', ControlMessageRules.MaxTextLength + 1)), "4097 characters" },
        { new Stopping(null!), "stopping without its reason" },
        { new Hello(-1, 1, 4242, "s"), "negative index" },
        { new Hello(0, 0, 4242, "s"), "incarnation 0" },
        { new Hello(0, 1, 0, "s"), "pid 0" },
        { new Hello(0, 1, 4242, ""), "without its secret" },
        { new Stop(-1), "negative deadline" },
    };

    public static TheoryData<object> WellFormed() => new()
    {
        new Heartbeat(Good),
        new Heartbeat(Good with { CpuPercent = 0, GcPausePercent = 0, WorkingSetBytes = 0, UptimeMs = 0 }),
        new Ready("handoff:/tmp/defuss-x/w0-1.sock"),
        new Stopping("shutdown"),
        new Hello(0, 1, 4242, new string('a', 64)),
        new Stop(0),
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Problem_MalformedMessage_SaysWhy(object message, string why) =>
        ControlMessageRules.Problem((ControlMessage)message).Should().Contain(why);

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void Problem_WellFormedMessage_IsNull(object message) =>
        ControlMessageRules.Problem((ControlMessage)message).Should().BeNull();

    [Theory]
    [InlineData("""{"type":"heartbeat"}""", "heartbeat without stats")]
    [InlineData("""{"type":"ready"}""", "ready without its endpoint")]
    [InlineData("""{"type":"nonsense"}""", "not a valid control message")]
    [InlineData("""{"type":"heartbeat","stats":{"pid":"x"}}""", "not a valid control message")]
    [InlineData("null", "JSON null")]
    public async Task ReadFrame_WholeMalformedFrame_SaysWhyAndTheNextFrameStillReads(string json, string why)
    {
        using var stream = new MemoryStream();
        stream.Write(Frame(json));
        await ControlFraming.WriteAsync(stream, new Stopping("shutdown"));
        stream.Position = 0;

        var malformed = await ControlFraming.ReadFrameAsync(stream).AsTask().WaitAsync(TestTimeouts.Default);
        var next = await ControlFraming.ReadFrameAsync(stream).AsTask().WaitAsync(TestTimeouts.Default);

        malformed.Message.Should().BeNull();
        malformed.Problem.Should().Contain(why);
        next.Should().Be(new ControlFrame(new Stopping("shutdown"), null));
        (await ControlFraming.ReadFrameAsync(stream).AsTask().WaitAsync(TestTimeouts.Default)).Should().Be(default(ControlFrame));
    }

    [Fact]
    public async Task Read_WholeMalformedFrame_ThrowsInvalidDataForTheWorkerSide()
    {
        using var stream = new MemoryStream(Frame("""{"type":"stop","deadlineMs":-5}"""));

        var read = () => ControlFraming.ReadAsync(stream).AsTask().WaitAsync(TestTimeouts.Default);

        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("*negative deadline*");
    }

    private static byte[] Frame(string json) => ControlFraming.Frame(Encoding.UTF8.GetBytes(json));
}
