using System.Buffers.Binary;
using System.Text.Json;

namespace Defuss.Worker.Protocol;

/// <summary>
/// Frames on the control channel: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
/// </summary>
internal static class ControlFraming
{
    /// <summary>The largest frame either side accepts; a longer one is a protocol error.</summary>
    public const int MaxFrameBytes = 64 * 1024;

    /// <summary>Writes one frame and flushes it.</summary>
    public static async ValueTask WriteAsync(Stream stream, ControlMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var frame = Frame(JsonSerializer.SerializeToUtf8Bytes(message, ControlJsonContext.Default.ControlMessage));
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The frame that carries <paramref name="json"/>: its length, then the bytes as they are.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> json)
    {
        var frame = new byte[4 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, json.Length);
        json.CopyTo(frame.AsSpan(4));
        return frame;
    }

    /// <summary>Reads one frame; <c>null</c> when the stream ended cleanly between frames.</summary>
    /// <exception cref="InvalidDataException">The frame is too long, truncated or not a valid control message.</exception>
    public static async ValueTask<ControlMessage?> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var frame = await ReadFrameAsync(stream, cancellationToken).ConfigureAwait(false);
        return frame.Problem is { } problem ? throw new InvalidDataException(problem) : frame.Message;
    }

    /// <summary>
    /// Reads one frame: its message, or, when a whole frame arrived that is not a valid control message (bad JSON, an
    /// unknown type, a missing field, an impossible value: see <see cref="ControlMessageRules"/>), why not; the channel is
    /// then still in step, and the next frame can be read. Both are <c>null</c> when the stream ended between frames.
    /// </summary>
    /// <exception cref="InvalidDataException">The frame is too long or truncated: the channel is out of step.</exception>
    public static async ValueTask<ControlFrame> ReadFrameAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new byte[4];
        var read = await stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return default;
        }

        if (read < 4)
        {
            throw new InvalidDataException("The control channel ended inside a frame header.");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length <= 0 || length > MaxFrameBytes)
        {
            throw new InvalidDataException($"Control frame length {length} is outside 1..{MaxFrameBytes} bytes.");
        }

        var body = new byte[length];
        if (await stream.ReadAtLeastAsync(body, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < length)
        {
            throw new InvalidDataException($"The control channel ended inside a {length}-byte frame.");
        }

        ControlMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(body, ControlJsonContext.Default.ControlMessage);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            // System.Text.Json reports a frame without a "type" discriminator as NotSupportedException.
            return new ControlFrame(null, "A control frame is not a valid control message: " + exception.Message);
        }

        return message is null ? new ControlFrame(null, "A control frame held JSON null.")
            : ControlMessageRules.Problem(message) is { } problem ? new ControlFrame(null, "A control frame is " + problem + ".")
            : new ControlFrame(message, null);
    }
}

/// <summary>One frame read: a valid <paramref name="Message"/>, or the <paramref name="Problem"/> of a malformed one; neither at the end.</summary>
internal readonly record struct ControlFrame(ControlMessage? Message, string? Problem);
