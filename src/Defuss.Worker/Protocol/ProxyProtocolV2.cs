using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Defuss.Worker.Protocol;

/// <summary>
/// The binary PROXY protocol v2 header (haproxy.org proxy-protocol.txt) that the primary puts before a proxied
/// connection's bytes on the worker's private endpoint, so that the worker sees the real client address. After the
/// addresses it carries one TLV of type <see cref="SecretType"/> with the worker incarnation's secret, so that a worker
/// can tell the primary's header from one that another local process forged.
/// </summary>
internal static class ProxyProtocolV2
{
    /// <summary>Signature, version/command, family/protocol and the 2-byte length.</summary>
    public const int FixedLength = 16;

    /// <summary>The TLV type of the secret, the first of the range the protocol leaves to applications (0xE0..0xEF).</summary>
    public const byte SecretType = 0xE0;

    /// <summary>The longest secret <see cref="Write"/> puts in a header (the primary's are 64 bytes).</summary>
    public const int MaxSecretLength = 128;

    /// <summary>The longest header <see cref="Write"/> produces: two IPv6 addresses, two ports and the longest secret.</summary>
    public const int MaxWrittenLength = FixedLength + IPv6AddressLength + TlvHeaderLength + MaxSecretLength;

    /// <summary>The longest address block (TLVs included) that <see cref="TryRead(ReadOnlySequence{byte}, out int, out IPEndPoint?, out string?)"/> accepts.</summary>
    public const int MaxAddressLength = 512;

    private const byte VersionProxy = 0x21;
    private const byte VersionLocal = 0x20;
    private const byte TcpOverIPv4 = 0x11;
    private const byte TcpOverIPv6 = 0x21;
    private const byte Unspecified = 0x00;
    private const int IPv4AddressLength = 12;
    private const int IPv6AddressLength = 36;
    private const int TlvHeaderLength = 3;

    private static ReadOnlySpan<byte> Signature => "\r\n\r\n\0\r\nQUIT\n"u8;

    /// <summary>
    /// Writes a PROXY header for <paramref name="client"/>; the destination is <paramref name="local"/> when it is of
    /// the same family, zeros otherwise. A non-empty <paramref name="secret"/> follows the addresses as a
    /// <see cref="SecretType"/> TLV. Returns the bytes written.
    /// </summary>
    public static int Write(Span<byte> destination, IPEndPoint client, IPEndPoint? local, ReadOnlySpan<byte> secret)
    {
        ArgumentNullException.ThrowIfNull(client);
        var source = Normalize(client);
        var target = local is null ? null : Normalize(local);
        var ipv4 = source.AddressFamily == AddressFamily.InterNetwork;
        if (target is not null && target.AddressFamily != source.AddressFamily)
        {
            target = null;
        }

        var addressLength = ipv4 ? IPv4AddressLength : IPv6AddressLength;
        var blockLength = addressLength + SecretTlvLength(secret);
        CheckRoom(destination, FixedLength + blockLength);
        Signature.CopyTo(destination);
        destination[12] = VersionProxy;
        destination[13] = ipv4 ? TcpOverIPv4 : TcpOverIPv6;
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)blockLength);
        var addressBytes = ipv4 ? 4 : 16;
        var body = destination.Slice(FixedLength, addressLength);
        body.Clear();
        source.Address.TryWriteBytes(body[..addressBytes], out _);
        target?.Address.TryWriteBytes(body.Slice(addressBytes, addressBytes), out _);
        BinaryPrimitives.WriteUInt16BigEndian(body[(2 * addressBytes)..], (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(body[((2 * addressBytes) + 2)..], (ushort)(target?.Port ?? 0));
        return FixedLength + addressLength + WriteSecretTlv(destination[(FixedLength + addressLength)..], secret);
    }

    /// <summary>
    /// Writes a LOCAL header (no address), for a client whose address is not an IP endpoint, with a non-empty
    /// <paramref name="secret"/> as its only TLV. Returns the bytes written.
    /// </summary>
    public static int WriteLocal(Span<byte> destination, ReadOnlySpan<byte> secret)
    {
        var blockLength = SecretTlvLength(secret);
        CheckRoom(destination, FixedLength + blockLength);
        Signature.CopyTo(destination);
        destination[12] = VersionLocal;
        destination[13] = Unspecified;
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)blockLength);
        return FixedLength + WriteSecretTlv(destination[FixedLength..], secret);
    }

    /// <summary>
    /// Parses a header at the start of <paramref name="input"/>. False with a null <paramref name="error"/> means more
    /// bytes are needed; false with an error means the input is not a valid header. A LOCAL or UNSPEC header is valid
    /// and yields a null <paramref name="client"/>.
    /// </summary>
    public static bool TryRead(ReadOnlySequence<byte> input, out int consumed, out IPEndPoint? client, out string? error)
    {
        if (input.IsSingleSegment)
        {
            return TryRead(input.FirstSpan, out consumed, out client, out error);
        }

        Span<byte> buffer = stackalloc byte[FixedLength + MaxAddressLength];
        var length = (int)Math.Min(input.Length, buffer.Length);
        input.Slice(0, length).CopyTo(buffer);
        return TryRead(buffer[..length], out consumed, out client, out error);
    }

    /// <inheritdoc cref="TryRead(ReadOnlySequence{byte}, out int, out IPEndPoint?, out string?)" />
    public static bool TryRead(ReadOnlySpan<byte> input, out int consumed, out IPEndPoint? client, out string? error)
    {
        consumed = 0;
        client = null;
        error = null;
        var signatureBytes = Math.Min(input.Length, Signature.Length);
        if (!input[..signatureBytes].SequenceEqual(Signature[..signatureBytes]))
        {
            error = "the PROXY v2 signature is missing";
            return false;
        }

        if (input.Length < FixedLength)
        {
            return false;
        }

        var versionCommand = input[12];
        if ((versionCommand & 0xF0) != 0x20)
        {
            error = $"version {versionCommand >> 4} is not 2";
            return false;
        }

        if (versionCommand is not (VersionProxy or VersionLocal))
        {
            error = $"command {versionCommand & 0x0F} is neither LOCAL nor PROXY";
            return false;
        }

        var family = input[13];
        var length = BinaryPrimitives.ReadUInt16BigEndian(input[14..]);
        if (length > MaxAddressLength)
        {
            error = $"the address block of {length} bytes is longer than {MaxAddressLength}";
            return false;
        }

        var needed = family switch
        {
            TcpOverIPv4 => IPv4AddressLength,
            TcpOverIPv6 => IPv6AddressLength,
            Unspecified => 0,
            _ => -1,
        };
        if (needed < 0)
        {
            error = $"family/protocol 0x{family:X2} is not TCP over IPv4 or IPv6";
            return false;
        }

        if (length < needed)
        {
            error = $"the address block of {length} bytes is shorter than the {needed} its family needs";
            return false;
        }

        if (input.Length < FixedLength + length)
        {
            return false;
        }

        consumed = FixedLength + length;
        if (versionCommand == VersionLocal || family == Unspecified)
        {
            return true;
        }

        var body = input.Slice(FixedLength, length);
        var addressBytes = family == TcpOverIPv4 ? 4 : 16;
        var address = new IPAddress(body[..addressBytes]);
        var port = BinaryPrimitives.ReadUInt16BigEndian(body[(2 * addressBytes)..]);
        client = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="header"/>, a whole header as <see cref="TryRead(ReadOnlySequence{byte}, out int, out IPEndPoint?, out string?)"/>
    /// consumed it, carries <paramref name="secret"/> in its first <see cref="SecretType"/> TLV (compared in constant
    /// time). When it does not, <paramref name="error"/> says why. Never throws.
    /// </summary>
    public static bool CarriesSecret(ReadOnlySequence<byte> header, ReadOnlySpan<byte> secret, out string? error)
    {
        if (header.IsSingleSegment)
        {
            return CarriesSecret(header.FirstSpan, secret, out error);
        }

        Span<byte> buffer = stackalloc byte[FixedLength + MaxAddressLength];
        var length = (int)Math.Min(header.Length, buffer.Length);
        header.Slice(0, length).CopyTo(buffer);
        return CarriesSecret(buffer[..length], secret, out error);
    }

    /// <inheritdoc cref="CarriesSecret(ReadOnlySequence{byte}, ReadOnlySpan{byte}, out string?)" />
    public static bool CarriesSecret(ReadOnlySpan<byte> header, ReadOnlySpan<byte> secret, out string? error)
    {
        error = null;
        if (secret.IsEmpty)
        {
            error = "cannot be checked: the worker has no secret";
            return false;
        }

        if (header.Length < FixedLength)
        {
            error = "is not a whole header";
            return false;
        }

        // For a LOCAL header the receiver ignores the addresses, not Defuss's own TLV: both ends are Defuss.
        var addressLength = header[13] switch
        {
            TcpOverIPv4 => IPv4AddressLength,
            TcpOverIPv6 => IPv6AddressLength,
            _ => 0,
        };
        var blockEnd = Math.Min(header.Length, FixedLength + BinaryPrimitives.ReadUInt16BigEndian(header[14..]));
        var tlvs = header[Math.Min(blockEnd, FixedLength + addressLength)..blockEnd];
        while (!tlvs.IsEmpty)
        {
            if (tlvs.Length < TlvHeaderLength || tlvs.Length < TlvHeaderLength + BinaryPrimitives.ReadUInt16BigEndian(tlvs[1..]))
            {
                error = "has a TLV that runs past the end of the header";
                return false;
            }

            var valueLength = BinaryPrimitives.ReadUInt16BigEndian(tlvs[1..]);
            if (tlvs[0] == SecretType)
            {
                if (CryptographicOperations.FixedTimeEquals(tlvs.Slice(TlvHeaderLength, valueLength), secret))
                {
                    return true;
                }

                error = "carries a secret that is not this worker's";
                return false;
            }

            tlvs = tlvs[(TlvHeaderLength + valueLength)..];
        }

        error = "carries no secret";
        return false;
    }

    private static int SecretTlvLength(ReadOnlySpan<byte> secret)
    {
        if (secret.Length > MaxSecretLength)
        {
            throw new ArgumentException($"The secret has {secret.Length} bytes; a header carries at most {MaxSecretLength}.", nameof(secret));
        }

        return secret.IsEmpty ? 0 : TlvHeaderLength + secret.Length;
    }

    private static int WriteSecretTlv(Span<byte> destination, ReadOnlySpan<byte> secret)
    {
        if (secret.IsEmpty)
        {
            return 0;
        }

        destination[0] = SecretType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)secret.Length);
        secret.CopyTo(destination[TlvHeaderLength..]);
        return TlvHeaderLength + secret.Length;
    }

    private static void CheckRoom(Span<byte> destination, int needed)
    {
        if (destination.Length < needed)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the header needs {needed}.", nameof(destination));
        }
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
