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
        var json = JsonSerializer.SerializeToUtf8Bytes(message, ControlJsonContext.Default.ControlMessage);
        var frame = new byte[4 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, json.Length);
        json.CopyTo(frame, 4);
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one frame; <c>null</c> when the stream ended cleanly between frames.</summary>
    /// <exception cref="InvalidDataException">The frame is too long, truncated or not a control message.</exception>
    public static async ValueTask<ControlMessage?> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new byte[4];
        var read = await stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
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

        try
        {
            return JsonSerializer.Deserialize(body, ControlJsonContext.Default.ControlMessage)
                ?? throw new InvalidDataException("A control frame held JSON null.");
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            // System.Text.Json reports a frame without a "type" discriminator as NotSupportedException.
            throw new InvalidDataException("A control frame is not a valid control message: " + exception.Message, exception);
        }
    }
}
