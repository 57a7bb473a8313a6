using System.Buffers;
using System.Net;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Worker.Protocol;

public sealed partial class ProxyProtocolV2Tests
{
    /// <summary>No secret: a header as a third party's proxy writes it, with the addresses only.</summary>
    private static ReadOnlySpan<byte> NoSecret => [];

    [Fact]
    public void Write_IPv4Client_RoundTripsThroughTryRead()
    {
        var client = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40123);
        var buffer = new byte[ProxyProtocolV2.MaxWrittenLength];

        var written = ProxyProtocolV2.Write(buffer, client, new IPEndPoint(IPAddress.Loopback, 8080), NoSecret);
        var ok = ProxyProtocolV2.TryRead(buffer.AsSpan(0, written), out var consumed, out var read, out var error);

        written.Should().Be(28);
        buffer[12].Should().Be(0x21);
        buffer[13].Should().Be(0x11);
        ok.Should().BeTrue(error);
        consumed.Should().Be(written);
        read.Should().Be(client);
    }

    [Fact]
    public void Write_IPv6Client_RoundTripsThroughTryRead()
    {
        var client = new IPEndPoint(IPAddress.Parse("2001:db8::7"), 65535);
        var buffer = new byte[ProxyProtocolV2.MaxWrittenLength];

        var written = ProxyProtocolV2.Write(buffer, client, local: null, NoSecret);
        var ok = ProxyProtocolV2.TryRead(new ReadOnlySequence<byte>(buffer, 0, written), out var consumed, out var read, out _);

        written.Should().Be(52);
        buffer[13].Should().Be(0x21);
        ok.Should().BeTrue();
        consumed.Should().Be(written);
        read.Should().Be(client);
    }

    [Fact]
    public void Write_IPv4MappedClient_WritesIPv4()
    {
        var buffer = new byte[ProxyProtocolV2.MaxWrittenLength];

        var written = ProxyProtocolV2.Write(buffer, new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.9"), 1234), local: null, NoSecret);
        ProxyProtocolV2.TryRead(buffer.AsSpan(0, written), out _, out var read, out _);

        written.Should().Be(28);
        read.Should().Be(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 1234));
    }

    [Fact]
    public void TryRead_TrailingBytes_ConsumesOnlyTheHeaderAndSkipsTlvs()
    {
        var buffer = new byte[ProxyProtocolV2.MaxWrittenLength + 10];
        var written = ProxyProtocolV2.Write(buffer, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80), local: null, NoSecret);
        buffer[15] += 3; // a 3-byte TLV after the addresses
        "GET"u8.CopyTo(buffer.AsSpan(written + 3));

        var ok = ProxyProtocolV2.TryRead(buffer, out var consumed, out var read, out _);

        ok.Should().BeTrue();
        consumed.Should().Be(written + 3);
        read!.Port.Should().Be(80);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(27)]
    public void TryRead_TruncatedHeader_NeedsMoreData(int length)
    {
        var buffer = new byte[ProxyProtocolV2.MaxWrittenLength];
        ProxyProtocolV2.Write(buffer, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80), local: null, NoSecret);

        var ok = ProxyProtocolV2.TryRead(buffer.AsSpan(0, length), out var consumed, out var read, out var error);

        ok.Should().BeFalse();
        error.Should().BeNull();
        consumed.Should().Be(0);
        read.Should().BeNull();
    }

    [Fact]
    public void TryRead_BadSignature_IsAnError()
    {
        var ok = ProxyProtocolV2.TryRead("GET / HTTP/1.1\r\n\r\n"u8, out _, out _, out var error);

        ok.Should().BeFalse();
        error.Should().Contain("signature");
    }

    [Theory]
    [InlineData(0x11, "version")]
    [InlineData(0x22, "command")]
    public void TryRead_BadVersionOrCommand_IsAnError(byte versionCommand, string reason)
    {
        var buffer = Header();
        buffer[12] = versionCommand;

        var ok = ProxyProtocolV2.TryRead(buffer, out _, out _, out var error);

        ok.Should().BeFalse();
        error.Should().Contain(reason);
    }

    [Fact]
    public void TryRead_LocalCommand_IsValidWithoutAnAddress()
    {
        var buffer = new byte[ProxyProtocolV2.FixedLength];
        ProxyProtocolV2.WriteLocal(buffer, NoSecret);

        var ok = ProxyProtocolV2.TryRead(buffer, out var consumed, out var read, out var error);

        ok.Should().BeTrue(error);
        consumed.Should().Be(16);
        read.Should().BeNull();
    }

    [Fact]
    public void TryRead_OversizedLength_IsAnError()
    {
        var buffer = Header();
        buffer[14] = 0xFF;
        buffer[15] = 0xFF;

        var ok = ProxyProtocolV2.TryRead(buffer, out _, out _, out var error);

        ok.Should().BeFalse();
        error.Should().Contain("longer");
    }

    [Theory]
    [InlineData(0x12)] // UDP over IPv4
    [InlineData(0x31)] // AF_UNIX
    public void TryRead_FamilyOtherThanTcpOverIp_IsAnError(byte family)
    {
        var buffer = Header();
        buffer[13] = family;

        ProxyProtocolV2.TryRead(buffer, out _, out _, out var error).Should().BeFalse();
        error.Should().Contain("family");
    }

    [Fact]
    public void TryRead_LengthShorterThanTheFamilyNeeds_IsAnError()
    {
        var buffer = Header();
        buffer[15] = 4;

        ProxyProtocolV2.TryRead(buffer, out _, out _, out var error).Should().BeFalse();
        error.Should().Contain("shorter");
    }

    private static byte[] Header()
    {
        var buffer = new byte[ProxyProtocolV2.MaxWrittenLength];
        var written = ProxyProtocolV2.Write(buffer, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80), local: null, NoSecret);
        return buffer[..written];
    }
}
