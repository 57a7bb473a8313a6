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

    /// <summary>
    /// Worker to primary, part of a reconciliation: the payload lists connections (<c>u64</c> ids, little-endian) the
    /// worker still has open. One reconciliation may take several such frames; <see cref="Reconcile"/> ends it.
    /// </summary>
    StillOpen = 4,

    /// <summary>
    /// Worker to primary, the end of a reconciliation: <c>Id</c> is how many <see cref="Connection"/> frames the worker
    /// had read on this channel when it listed its open connections. Every connection among those that no
    /// <see cref="StillOpen"/> frame of this reconciliation named has ended, its report lost.
    /// </summary>
    Reconcile = 5,
}

/// <summary>
/// The frames of a handoff channel, the Unix stream socket between the primary and one worker: a 16-byte header
/// (<c>u32</c> length of the rest, <c>u8</c> kind, 3 reserved bytes, <c>u64</c> connection id, little-endian) and a
/// payload. A <see cref="HandoffFrameKind.Connection"/> or <see cref="HandoffFrameKind.Returned"/> frame carries one
/// descriptor in <c>SCM_RIGHTS</c>, sent with its first byte; no other frame carries one.
/// </summary>
internal static class HandoffFrame
{
    /// <summary>The size of a frame header.</summary>
    public const int HeaderSize = 16;

    /// <summary>The largest payload: a head of <c>Defuss:MaxHeaderBytes</c>, which is at most 1 MiB.</summary>
    public const int MaxPayload = 1024 * 1024;

    /// <summary>The size of one connection id in a <see cref="HandoffFrameKind.StillOpen"/> payload.</summary>
    public const int IdSize = sizeof(long);

    /// <summary>The most ids one <see cref="HandoffFrameKind.StillOpen"/> frame lists.</summary>
    public const int MaxIdsPerFrame = MaxPayload / IdSize;

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

        if (data[4] > (byte)HandoffFrameKind.Reconcile || data[5] != 0 || data[6] != 0 || data[7] != 0)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"A handoff frame has kind {data[4]} and reserved bytes {data[5]} {data[6]} {data[7]}."));
        }

        kind = (HandoffFrameKind)data[4];
        id = BinaryPrimitives.ReadInt64LittleEndian(data[8..]);
        payloadLength = (int)(length - (HeaderSize - LengthFieldSize));
        return true;
    }

    /// <summary>Writes <paramref name="ids"/> as a <see cref="HandoffFrameKind.StillOpen"/> payload; returns its length.</summary>
    public static int WriteIds(Span<byte> payload, ReadOnlySpan<long> ids)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ids.Length, MaxIdsPerFrame);
        ArgumentOutOfRangeException.ThrowIfLessThan(payload.Length, ids.Length * IdSize);
        for (var i = 0; i < ids.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(payload[(i * IdSize)..], ids[i]);
        }

        return ids.Length * IdSize;
    }

    /// <summary>How many ids a <see cref="HandoffFrameKind.StillOpen"/> payload lists; one that is not whole ids throws <see cref="FormatException"/>.</summary>
    public static int IdCount(ReadOnlySpan<byte> payload) =>
        payload.Length % IdSize == 0
            ? payload.Length / IdSize
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"A StillOpen handoff frame has {payload.Length} bytes, not a whole number of ids."));

    /// <summary>The <paramref name="index"/>th id of a <see cref="HandoffFrameKind.StillOpen"/> payload.</summary>
    public static long IdAt(ReadOnlySpan<byte> payload, int index) => BinaryPrimitives.ReadInt64LittleEndian(payload[(index * IdSize)..]);
}
