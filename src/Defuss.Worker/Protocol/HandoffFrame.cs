using System.Buffers.Binary;
using System.Globalization;

namespace Defuss.Worker.Protocol;

/// <summary>What a frame on a handoff channel says.</summary>
internal enum HandoffFrameKind : byte
{
    /// <summary>Primary to worker, first: the worker incarnation's secret, as the payload.</summary>
    Hello = 0,

    /// <summary>Primary to worker: a client connection (the descriptor) and the head bytes the primary read off it (the payload).</summary>
    Connection = 1,

    /// <summary>Worker to primary: connection <c>Id</c> has ended.</summary>
    Closed = 2,

    /// <summary>Worker to primary: connection <c>Id</c> (the descriptor, untouched) is given back, since the worker is stopping.</summary>
    Returned = 3,
}

/// <summary>
/// The frames of a handoff channel, the Unix stream socket between the primary and one worker: a 16-byte header
/// (<c>u32</c> length of the rest, <c>u8</c> kind, 3 reserved bytes, <c>u64</c> connection id, little-endian) and a
/// payload. A <see cref="HandoffFrameKind.Connection"/> or <see cref="HandoffFrameKind.Returned"/> frame carries one
/// descriptor in <c>SCM_RIGHTS</c>, sent with its first byte.
/// </summary>
internal static class HandoffFrame
{
    /// <summary>The size of a frame header.</summary>
    public const int HeaderSize = 16;

    /// <summary>The largest payload: a head of <c>Defuss:MaxHeaderBytes</c>, which is at most 1 MiB.</summary>
    public const int MaxPayload = 1024 * 1024;

    private const int LengthFieldSize = 4;

    /// <summary>Whether frames of <paramref name="kind"/> carry a descriptor.</summary>
    public static bool CarriesDescriptor(HandoffFrameKind kind) => kind is HandoffFrameKind.Connection or HandoffFrameKind.Returned;

    /// <summary>Writes the header of a frame with <paramref name="payloadLength"/> bytes of payload.</summary>
    public static void WriteHeader(Span<byte> header, HandoffFrameKind kind, long id, int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(header.Length, HeaderSize);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, MaxPayload);
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)(HeaderSize - LengthFieldSize + payloadLength));
        header[4] = (byte)kind;
        header[5] = header[6] = header[7] = 0;
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], id);
    }

    /// <summary>
    /// Reads a header from the start of <paramref name="data"/>: false when fewer than <see cref="HeaderSize"/> bytes are
    /// there. A header that no Defuss peer writes throws <see cref="FormatException"/>, naming what is wrong.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> data, out HandoffFrameKind kind, out long id, out int payloadLength)
    {
        kind = default;
        id = 0;
        payloadLength = 0;
        if (data.Length < HeaderSize)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (length < HeaderSize - LengthFieldSize || length - (HeaderSize - LengthFieldSize) > MaxPayload)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"A handoff frame declares {length} bytes, outside 12 to {12 + MaxPayload}."));
        }

        if (data[4] > (byte)HandoffFrameKind.Returned || data[5] != 0 || data[6] != 0 || data[7] != 0)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"A handoff frame has kind {data[4]} and reserved bytes {data[5]} {data[6]} {data[7]}."));
        }

        kind = (HandoffFrameKind)data[4];
        id = BinaryPrimitives.ReadInt64LittleEndian(data[8..]);
        payloadLength = (int)(length - (HeaderSize - LengthFieldSize));
        return true;
    }
}
