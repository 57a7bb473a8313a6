using System.Buffers.Binary;
using System.Text;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Worker.Protocol;

public sealed class ControlFramingTests
{
    private static readonly WorkerStats Stats = new(
        Pid: 4242,
        CpuPercent: 87.125,
        WorkingSetBytes: 123_456_789,
        GcHeapBytes: 45_678_901,
        GcCommittedBytes: 56_789_012,
        GcPausePercent: 0.3125,
        ThreadPoolQueueLength: 17,
        ActiveConnections: 12,
        RequestsInFlight: 5,
        UptimeMs: 98_765,
        SampledAtUnixMs: 1_767_225_600_000);

    /// <summary>One message of each kind; as objects, since <see cref="ControlMessage"/> is internal to Defuss.Worker.</summary>
    public static TheoryData<object> Messages() => new()
    {
        new Hello(3, 7, 4242, "secret-of-7"),
        new Ready("unix:/tmp/defuss/worker-3.sock"),
        new Ready("tcp:127.0.0.1:5003"),
        new Heartbeat(Stats),
        new Stopping("stop requested"),
        new Stop(10_000),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task WriteThenRead_EachMessage_RoundTrips(object sent)
    {
        var message = (ControlMessage)sent;
        using var stream = new MemoryStream();
        await ControlFraming.WriteAsync(stream, message).AsTask().WaitAsync(TestTimeouts.Default);
        stream.Position = 0;

        var read = await ControlFraming.ReadAsync(stream).AsTask().WaitAsync(TestTimeouts.Default);

        read.Should().Be(message);
        (await ControlFraming.ReadAsync(stream).AsTask().WaitAsync(TestTimeouts.Default)).Should().BeNull();
    }

    [Fact]
    public async Task Write_Frame_IsBigEndianLengthThenCamelCaseJson()
    {
        using var stream = new MemoryStream();
        await ControlFraming.WriteAsync(stream, new Stop(2500)).AsTask().WaitAsync(TestTimeouts.Default);

        var bytes = stream.ToArray();
        BinaryPrimitives.ReadInt32BigEndian(bytes).Should().Be(bytes.Length - 4);
        Encoding.UTF8.GetString(bytes, 4, bytes.Length - 4).Should().Be("""{"type":"stop","deadlineMs":2500}""");
    }

    [Fact]
    public async Task Read_SeveralFramesInOneStream_ReadsThemInOrder()
    {
        using var stream = new MemoryStream();
        await ControlFraming.WriteAsync(stream, new Hello(0, 1, 1, "s")).AsTask().WaitAsync(TestTimeouts.Default);
        await ControlFraming.WriteAsync(stream, new Ready("tcp:127.0.0.1:5000")).AsTask().WaitAsync(TestTimeouts.Default);
        stream.Position = 0;

        (await ControlFraming.ReadAsync(stream).AsTask().WaitAsync(TestTimeouts.Default)).Should().BeOfType<Hello>();
        (await ControlFraming.ReadAsync(stream).AsTask().WaitAsync(TestTimeouts.Default)).Should().BeOfType<Ready>();
    }

    [Fact]
    public async Task Read_EmptyStream_ReturnsNull()
    {
        using var stream = new MemoryStream();

        (await ControlFraming.ReadAsync(stream).AsTask().WaitAsync(TestTimeouts.Default)).Should().BeNull();
    }

    [Theory]
    [InlineData(ControlFraming.MaxFrameBytes + 1)]
    [InlineData(int.MaxValue)]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Read_LengthOutsideLimits_ThrowsInvalidData(int length)
    {
        using var stream = new MemoryStream(Header(length));

        var read = () => ControlFraming.ReadAsync(stream).AsTask().WaitAsync(TestTimeouts.Default);

        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage($"*{length}*");
    }

    [Fact]
    public async Task Read_TruncatedHeader_ThrowsInvalidData()
    {
        using var stream = new MemoryStream([0, 0]);

        var read = () => ControlFraming.ReadAsync(stream).AsTask().WaitAsync(TestTimeouts.Default);

        await read.Should().ThrowAsync<InvalidDataException>();
    }

    [Fact]
    public async Task Read_TruncatedBody_ThrowsInvalidData()
    {
        var json = Encoding.UTF8.GetBytes("""{"type":"stop","deadlineMs":2500}""");
        using var stream = new MemoryStream([.. Header(json.Length), .. json.AsSpan(0, json.Length / 2)]);

        var read = () => ControlFraming.ReadAsync(stream).AsTask().WaitAsync(TestTimeouts.Default);

        await read.Should().ThrowAsync<InvalidDataException>();
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("""{"type":"launch-missiles"}""")]
    [InlineData("""{"deadlineMs":2500}""")]
    [InlineData("""{"type":"stop","deadlineMs":"soon"}""")]
    public async Task Read_BodyIsNotAControlMessage_ThrowsInvalidData(string body)
    {
        var json = Encoding.UTF8.GetBytes(body);
        using var stream = new MemoryStream([.. Header(json.Length), .. json]);

        var read = () => ControlFraming.ReadAsync(stream).AsTask().WaitAsync(TestTimeouts.Default);

        await read.Should().ThrowAsync<InvalidDataException>();
    }

    private static byte[] Header(int length)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, length);
        return header;
    }
}
