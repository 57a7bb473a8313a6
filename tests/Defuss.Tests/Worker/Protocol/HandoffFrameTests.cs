using System.Buffers.Binary;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Worker.Protocol;

public sealed class HandoffFrameTests
{
    private static byte[] Header(HandoffFrameKind kind, long id, int payloadLength)
    {
        var header = new byte[HandoffFrame.HeaderSize];
        HandoffFrame.WriteHeader(header, kind, id, payloadLength);
        return header;
    }

    private static byte[] RawHeader(uint length, byte kind, byte reserved0 = 0, byte reserved1 = 0, byte reserved2 = 0)
    {
        var header = new byte[HandoffFrame.HeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, length);
        header[4] = kind;
        header[5] = reserved0;
        header[6] = reserved1;
        header[7] = reserved2;
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), 42);
        return header;
    }

    // Each kind as its byte: HandoffFrameKind is internal to Defuss.Worker, and a test method is public.
    [Theory]
    [InlineData((byte)HandoffFrameKind.Hello, 0L, 32)]
    [InlineData((byte)HandoffFrameKind.Connection, 1L, 517)]
    [InlineData((byte)HandoffFrameKind.Closed, long.MaxValue, 0)]
    [InlineData((byte)HandoffFrameKind.Returned, -1L, 0)]
    [InlineData((byte)HandoffFrameKind.Connection, long.MinValue, HandoffFrame.MaxPayload)]
    [InlineData((byte)HandoffFrameKind.StillOpen, 0L, HandoffFrame.MaxPayload)]
    [InlineData((byte)HandoffFrameKind.Reconcile, 12_345L, 0)]
    public void TryReadHeader_WrittenHeader_GivesItsFieldsBack(byte kindValue, long id, int payloadLength)
    {
        var kind = (HandoffFrameKind)kindValue;
        var header = Header(kind, id, payloadLength);

        var read = HandoffFrame.TryReadHeader(header, out var readKind, out var readId, out var readLength);

        read.Should().BeTrue();
        readKind.Should().Be(kind);
        readId.Should().Be(id);
        readLength.Should().Be(payloadLength);
    }

    [Fact]
    public void WriteHeader_Fields_LaysThemOutLittleEndianWithZeroReservedBytes()
    {
        var header = new byte[HandoffFrame.HeaderSize];
        header.AsSpan().Fill(0xEE);

        HandoffFrame.WriteHeader(header, HandoffFrameKind.Connection, 0x0102030405060708, 5);

        header.Should().Equal(
            17, 0, 0, 0, // the rest of the header (12) and the payload (5)
            1, // Connection
            0, 0, 0, // reserved, cleared even over old bytes
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01);
    }

    [Fact]
    public void WriteHeader_LargerSpan_WritesOnlyTheFirstSixteenBytes()
    {
        var buffer = new byte[HandoffFrame.HeaderSize + 4];
        buffer.AsSpan().Fill(0xEE);

        HandoffFrame.WriteHeader(buffer, HandoffFrameKind.Closed, 7, 0);

        buffer[..HandoffFrame.HeaderSize].Should().Equal(Header(HandoffFrameKind.Closed, 7, 0));
        buffer[HandoffFrame.HeaderSize..].Should().Equal(0xEE, 0xEE, 0xEE, 0xEE);
    }

    [Fact]
    public void TryReadHeader_MoreBytesThanTheHeader_ReadsOnlyTheHeader()
    {
        byte[] frame = [.. Header(HandoffFrameKind.Hello, 9, 3), 0xFF, 0xFF, 0xFF, 0xFF];

        HandoffFrame.TryReadHeader(frame, out var kind, out var id, out var length).Should().BeTrue();

        (kind, id, length).Should().Be((HandoffFrameKind.Hello, 9L, 3));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(HandoffFrame.HeaderSize - 1)]
    public void TryReadHeader_FewerBytesThanAHeader_ReturnsFalse(int available)
    {
        var header = Header(HandoffFrameKind.Connection, 5, 10);

        var read = HandoffFrame.TryReadHeader(header.AsSpan(0, available), out var kind, out var id, out var length);

        read.Should().BeFalse();
        (kind, id, length).Should().Be((default(HandoffFrameKind), 0L, 0));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(11u)]
    [InlineData((uint)(12 + HandoffFrame.MaxPayload + 1))]
    [InlineData(uint.MaxValue)]
    public void TryReadHeader_LengthOutOfRange_ThrowsFormatExceptionNamingIt(uint length)
    {
        var header = RawHeader(length, (byte)HandoffFrameKind.Closed);

        var read = () => HandoffFrame.TryReadHeader(header, out _, out _, out _);

        read.Should().Throw<FormatException>().WithMessage($"*declares {length} bytes*");
    }

    [Theory]
    [InlineData(12u, 0)]
    [InlineData((uint)(12 + HandoffFrame.MaxPayload), HandoffFrame.MaxPayload)]
    public void TryReadHeader_LengthAtTheBounds_GivesThePayloadLength(uint length, int payloadLength)
    {
        var header = RawHeader(length, (byte)HandoffFrameKind.Connection);

        HandoffFrame.TryReadHeader(header, out _, out var id, out var readLength).Should().BeTrue();

        readLength.Should().Be(payloadLength);
        id.Should().Be(42);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(0x7F)]
    [InlineData(0xFF)]
    public void TryReadHeader_UnknownKind_ThrowsFormatExceptionNamingIt(byte kind)
    {
        var header = RawHeader(12, kind);

        var read = () => HandoffFrame.TryReadHeader(header, out _, out _, out _);

        read.Should().Throw<FormatException>().WithMessage($"*kind {kind} *");
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(0, 1, 0)]
    [InlineData(0, 0, 0x80)]
    public void TryReadHeader_NonzeroReservedByte_ThrowsFormatExceptionNamingIt(byte reserved0, byte reserved1, byte reserved2)
    {
        var header = RawHeader(12, (byte)HandoffFrameKind.Closed, reserved0, reserved1, reserved2);

        var read = () => HandoffFrame.TryReadHeader(header, out _, out _, out _);

        read.Should().Throw<FormatException>().WithMessage($"*reserved bytes {reserved0} {reserved1} {reserved2}*");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(HandoffFrame.MaxPayload + 1)]
    [InlineData(int.MaxValue)]
    public void WriteHeader_PayloadLengthOutOfRange_Throws(int payloadLength)
    {
        var header = new byte[HandoffFrame.HeaderSize];

        var write = () => HandoffFrame.WriteHeader(header, HandoffFrameKind.Connection, 1, payloadLength);

        write.Should().Throw<ArgumentOutOfRangeException>();
        header.Should().OnlyContain(b => b == 0, "nothing is written for a length that cannot be sent");
    }

    [Fact]
    public void WriteHeader_SpanShorterThanAHeader_Throws()
    {
        var write = () => HandoffFrame.WriteHeader(new byte[HandoffFrame.HeaderSize - 1], HandoffFrameKind.Closed, 1, 0);

        write.Should().Throw<ArgumentOutOfRangeException>();
    }

    // Each kind as its byte: HandoffFrameKind is internal to Defuss.Worker, and a test method is public.
    [Theory]
    [InlineData((byte)HandoffFrameKind.Hello, false)]
    [InlineData((byte)HandoffFrameKind.Connection, true)]
    [InlineData((byte)HandoffFrameKind.Closed, false)]
    [InlineData((byte)HandoffFrameKind.Returned, true)]
    [InlineData((byte)HandoffFrameKind.StillOpen, false)]
    [InlineData((byte)HandoffFrameKind.Reconcile, false)]
    public void CarriesDescriptor_Kind_IsTrueForConnectionAndReturned(byte kind, bool carries)
    {
        HandoffFrame.CarriesDescriptor((HandoffFrameKind)kind).Should().Be(carries);
    }

    [Fact]
    public void WriteIds_Ids_ReadBackInOrderAsLittleEndianLongs()
    {
        long[] ids = [1, 0x0102030405060708, long.MaxValue];
        var payload = new byte[ids.Length * HandoffFrame.IdSize + 3];

        var length = HandoffFrame.WriteIds(payload, ids);

        length.Should().Be(24);
        payload[8..16].Should().Equal(0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01);
        HandoffFrame.IdCount(payload.AsSpan(0, length)).Should().Be(3);
        Enumerable.Range(0, 3).Select(i => HandoffFrame.IdAt(payload.AsSpan(0, length), i)).Should().Equal(ids);
    }

    [Fact]
    public void WriteIds_MoreThanAFrameHolds_Throws()
    {
        var ids = new long[HandoffFrame.MaxIdsPerFrame + 1];

        var write = () => HandoffFrame.WriteIds(new byte[(ids.Length * HandoffFrame.IdSize) + 8], ids);

        write.Should().Throw<ArgumentOutOfRangeException>();
        (HandoffFrame.MaxIdsPerFrame * HandoffFrame.IdSize).Should().BeLessThanOrEqualTo(HandoffFrame.MaxPayload, "a full list still fits one frame");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(15)]
    public void IdCount_PayloadNotWholeIds_ThrowsFormatException(int length)
    {
        var count = () => HandoffFrame.IdCount(new byte[length]);

        count.Should().Throw<FormatException>().WithMessage($"*{length} bytes*");
    }
}
