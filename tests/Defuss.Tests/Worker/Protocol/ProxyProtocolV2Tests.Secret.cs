using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Worker.Protocol;

/// <summary>The secret TLV that proves a header comes from the primary.</summary>
public sealed partial class ProxyProtocolV2Tests
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes(new string('a', 32) + new string('7', 32));

    [Fact]
    public void Write_WithASecret_PutsItInATlvAfterTheAddresses()
    {
        var client = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 40123);
        var buffer = new byte[ProxyProtocolV2.MaxWrittenLength];

        var written = ProxyProtocolV2.Write(buffer, client, new IPEndPoint(IPAddress.Loopback, 8080), Secret);
        var ok = ProxyProtocolV2.TryRead(buffer.AsSpan(0, written), out var consumed, out var read, out var error);

        written.Should().Be(16 + 12 + 3 + 64);
        BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(14)).Should().Be(12 + 3 + 64);
        buffer[28].Should().Be(ProxyProtocolV2.SecretType);
        ok.Should().BeTrue(error);
        consumed.Should().Be(written);
        read.Should().Be(client);
        ProxyProtocolV2.CarriesSecret(buffer.AsSpan(0, written), Secret, out error).Should().BeTrue(error);
    }

    [Fact]
    public void Write_IPv6WithTheLongestSecret_FitsMaxWrittenLength()
    {
        var secret = new byte[ProxyProtocolV2.MaxSecretLength];
        var buffer = new byte[ProxyProtocolV2.MaxWrittenLength];

        var written = ProxyProtocolV2.Write(buffer, new IPEndPoint(IPAddress.IPv6Loopback, 1), local: null, secret);

        written.Should().Be(ProxyProtocolV2.MaxWrittenLength);
        ProxyProtocolV2.CarriesSecret(new ReadOnlySequence<byte>(buffer), secret, out var error).Should().BeTrue(error);
    }

    [Fact]
    public void Write_SecretLongerThanTheMaximum_Throws()
    {
        var buffer = new byte[ProxyProtocolV2.MaxWrittenLength + 10];

        var write = () => ProxyProtocolV2.Write(buffer, new IPEndPoint(IPAddress.Loopback, 1), null, new byte[ProxyProtocolV2.MaxSecretLength + 1]);

        write.Should().Throw<ArgumentException>().WithMessage("*secret*");
    }

    [Fact]
    public void WriteLocal_WithASecret_IsValidWithoutAnAddressAndCarriesIt()
    {
        var buffer = new byte[ProxyProtocolV2.MaxWrittenLength];

        var written = ProxyProtocolV2.WriteLocal(buffer, Secret);
        var ok = ProxyProtocolV2.TryRead(buffer.AsSpan(0, written), out var consumed, out var read, out var error);

        ok.Should().BeTrue(error);
        consumed.Should().Be(16 + 3 + 64);
        read.Should().BeNull();
        ProxyProtocolV2.CarriesSecret(buffer.AsSpan(0, written), Secret, out error).Should().BeTrue(error);
    }

    [Fact]
    public void CarriesSecret_HeaderWithoutTlvs_SaysItCarriesNone()
    {
        var header = Header(NoSecret);

        ProxyProtocolV2.CarriesSecret(header, Secret, out var error).Should().BeFalse();
        error.Should().Be("carries no secret");
    }

    [Fact]
    public void CarriesSecret_AnotherSecret_SaysItIsNotThisWorkers()
    {
        var other = (byte[])Secret.Clone();
        other[^1] ^= 1;

        ProxyProtocolV2.CarriesSecret(Header(other), Secret, out var error).Should().BeFalse();
        error.Should().Contain("not this worker's");
        ProxyProtocolV2.CarriesSecret(Header(Secret.AsSpan(0, Secret.Length - 1)), Secret, out _).Should().BeFalse("a prefix of the secret is not the secret");
        ProxyProtocolV2.CarriesSecret(Header([.. Secret, (byte)'0']), Secret, out _).Should().BeFalse("nor is a longer one");
    }

    [Fact]
    public void CarriesSecret_OtherTlvsFirst_StillFindsTheSecret()
    {
        // A NOOP TLV (0x04) and an empty custom one before the secret, as another PROXY writer might add.
        byte[] tlvs = [0x04, 0x00, 0x02, 0xAA, 0xBB, 0xE1, 0x00, 0x00, ProxyProtocolV2.SecretType, 0x00, (byte)Secret.Length, .. Secret];

        ProxyProtocolV2.CarriesSecret(HeaderWithTlvs(tlvs), Secret, out var error).Should().BeTrue(error);
    }

    [Theory]
    [InlineData(new byte[] { ProxyProtocolV2.SecretType })]
    [InlineData(new byte[] { ProxyProtocolV2.SecretType, 0x00 })]
    [InlineData(new byte[] { ProxyProtocolV2.SecretType, 0x00, 0x40, 0x61 })]
    [InlineData(new byte[] { 0x04, 0xFF, 0xFF })]
    public void CarriesSecret_TlvCutShort_IsAnError(byte[] tlvs)
    {
        ProxyProtocolV2.CarriesSecret(HeaderWithTlvs(tlvs), Secret, out var error).Should().BeFalse();
        error.Should().Contain("runs past");
    }

    [Fact]
    public void CarriesSecret_WorkerWithoutASecret_AcceptsNothing()
    {
        ProxyProtocolV2.CarriesSecret(HeaderWithTlvs([ProxyProtocolV2.SecretType, 0x00, 0x00]), NoSecret, out var error).Should().BeFalse();
        error.Should().Contain("no secret");
    }

    [Fact]
    public void TryReadAndCarriesSecret_RandomAndMutatedHeaders_NeverThrow()
    {
        var random = new Random(20261122);
        var valid = Header(Secret);
        for (var i = 0; i < 5000; i++)
        {
            var input = (i % 3) switch
            {
                0 => RandomHeaderLike(random),
                1 => valid[..random.Next(0, valid.Length + 1)],
                _ => Mutated(random, valid),
            };

            if (ProxyProtocolV2.TryRead(input, out var consumed, out _, out _))
            {
                ProxyProtocolV2.CarriesSecret(input.AsSpan(0, consumed), Secret, out _);
                ProxyProtocolV2.CarriesSecret(new ReadOnlySequence<byte>(input, 0, consumed), Secret, out _);
            }

            ProxyProtocolV2.CarriesSecret(input, Secret, out _);
        }
    }

    private static byte[] Header(ReadOnlySpan<byte> secret)
    {
        var buffer = new byte[ProxyProtocolV2.MaxWrittenLength];
        var written = ProxyProtocolV2.Write(buffer, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80), local: null, secret);
        return buffer[..written];
    }

    /// <summary>An IPv4 header whose address block is followed by exactly <paramref name="tlvs"/>.</summary>
    private static byte[] HeaderWithTlvs(byte[] tlvs)
    {
        byte[] header = [.. Header(NoSecret), .. tlvs];
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)(12 + tlvs.Length));
        return header;
    }

    /// <summary>The signature and a random rest, so that parsing gets past the first check.</summary>
    private static byte[] RandomHeaderLike(Random random)
    {
        var bytes = new byte[random.Next(16, 200)];
        random.NextBytes(bytes);
        Header(NoSecret).AsSpan(0, 12).CopyTo(bytes);
        bytes[12] = random.Next(2) == 0 ? (byte)0x21 : (byte)0x20;
        bytes[14] = 0;
        return bytes;
    }

    private static byte[] Mutated(Random random, byte[] valid)
    {
        var bytes = (byte[])valid.Clone();
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            bytes[random.Next(12, bytes.Length)] = (byte)random.Next(256);
        }

        return bytes;
    }
}
