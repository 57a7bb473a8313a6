using System.Buffers;
using System.Net;
using System.Text;
using Defuss.Actors.Routing;

namespace Defuss.FrontDoor;

/// <summary>
/// Reads an HTTP/1.x request head for routing. It never throws: bytes that are not a well-formed HTTP/1.0 or 1.1
/// head give <see cref="ParsedRequest.Unknown"/>, and the worker's Kestrel answers the client as it sees fit.
/// </summary>
/// <remarks>
/// Strict where Kestrel is strict (CRLF line ends, single spaces in the request line, token names, no folded
/// lines), so that what routes as <see cref="RequestProtocol.Http1"/> is what the worker will serve. It validates
/// everything on spans before it allocates, and allocates only the strings it returns.
/// </remarks>
internal static class HttpHeadParser
{
    private const string Http11 = "HTTP/1.1";
    private const string Http10 = "HTTP/1.0";

    // RFC 9110 tchar.
    private static readonly SearchValues<byte> TokenBytes =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // Control bytes other than HTAB, which RFC 9110 forbids in a field value.
    private static readonly SearchValues<byte> InvalidValueBytes = SearchValues.Create(
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
         0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x7F]);

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    private static ReadOnlySpan<byte> HeadTerminator => "\r\n\r\n"u8;

    private static ReadOnlySpan<byte> Whitespace => " \t"u8;

    /// <summary>The index just after the head's blank line (<c>\r\n\r\n</c>), or -1 when the head is not complete.</summary>
    public static int FindHeadEnd(ReadOnlySpan<byte> buffer)
    {
        var index = buffer.IndexOf(HeadTerminator);
        return index < 0 ? -1 : index + HeadTerminator.Length;
    }

    /// <summary>
    /// Parses <paramref name="head"/>: the bytes up to and including the blank line, or, when the head was cut short
    /// (by the size limit or the timeout), what arrived; then the header lines that are complete are kept.
    /// </summary>
    public static ParsedRequest Parse(ReadOnlySpan<byte> head, IPEndPoint? client, ReadOnlyMemory<byte> rawHead)
    {
        var requestLineEnd = head.IndexOf(Crlf);
        if (requestLineEnd < 0 || !TryParseRequestLine(head[..requestLineEnd], out var method, out var target, out var version))
        {
            return ParsedRequest.Unknown(client, rawHead);
        }

        var fields = head[(requestLineEnd + Crlf.Length)..];
        if (!TryCountFields(fields, out var count))
        {
            return ParsedRequest.Unknown(client, rawHead);
        }

        var headers = ReadFields(fields, count, out var host);
        return new ParsedRequest(
            RequestProtocol.Http1,
            KnownStrings.Method(method) ?? Encoding.Latin1.GetString(method),
            Encoding.Latin1.GetString(target),
            version,
            host,
            headers,
            client,
            rawHead);
    }

    /// <summary>
    /// Whether <paramref name="bytes"/> can still become an HTTP/1.x head: false as soon as the request line has
    /// gone wrong, so that a client of another protocol that speaks first is routed at once, not after the timeout.
    /// </summary>
    public static bool IsPlausibleStart(ReadOnlySpan<byte> bytes)
    {
        var lineEnd = bytes.IndexOf(Crlf);
        if (lineEnd >= 0)
        {
            return TryParseRequestLine(bytes[..lineEnd], out _, out _, out _);
        }

        var line = bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes[..^1] : bytes;
        var firstSpace = line.IndexOf((byte)' ');
        if (firstSpace < 0)
        {
            return !line.ContainsAnyExcept(TokenBytes);
        }

        var method = line[..firstSpace];
        var rest = line[(firstSpace + 1)..];
        var secondSpace = rest.IndexOf((byte)' ');
        var target = secondSpace < 0 ? rest : rest[..secondSpace];
        if (method.IsEmpty || method.ContainsAnyExcept(TokenBytes) || target.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            return false;
        }

        if (secondSpace < 0)
        {
            return true;
        }

        var version = rest[(secondSpace + 1)..];
        return !target.IsEmpty && ("HTTP/1.1"u8.StartsWith(version) || "HTTP/1.0"u8.StartsWith(version))
            && (version.Length == Http11.Length || bytes[^1] != (byte)'\r');
    }

    // method SP request-target SP HTTP-version, exactly (RFC 9112 section 3).
    private static bool TryParseRequestLine(
        ReadOnlySpan<byte> line, out ReadOnlySpan<byte> method, out ReadOnlySpan<byte> target, out string version)
    {
        method = default;
        target = default;
        version = "";

        var firstSpace = line.IndexOf((byte)' ');
        if (firstSpace <= 0)
        {
            return false;
        }

        var rest = line[(firstSpace + 1)..];
        var secondSpace = rest.IndexOf((byte)' ');
        if (secondSpace <= 0)
        {
            return false;
        }

        method = line[..firstSpace];
        target = rest[..secondSpace];
        var versionBytes = rest[(secondSpace + 1)..];
        if (method.ContainsAnyExcept(TokenBytes) || target.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            return false;
        }

        if (versionBytes.SequenceEqual("HTTP/1.1"u8))
        {
            version = Http11;
            return true;
        }

        if (versionBytes.SequenceEqual("HTTP/1.0"u8))
        {
            version = Http10;
            return true;
        }

        return false;
    }

    // Validates every complete field line up to the blank line (or the end of a cut-short head) and counts them,
    // so that nothing is allocated for a head that turns out to be invalid.
    private static bool TryCountFields(ReadOnlySpan<byte> fields, out int count)
    {
        count = 0;
        while (true)
        {
            var lineEnd = fields.IndexOf(Crlf);
            if (lineEnd <= 0)
            {
                // The blank line (0), or a last line cut short (-1): the head's complete lines are all read.
                return true;
            }

            if (!IsValidField(fields[..lineEnd]))
            {
                return false;
            }

            count++;
            fields = fields[(lineEnd + Crlf.Length)..];
        }
    }

    private static bool IsValidField(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        return colon > 0
            && !line[..colon].ContainsAnyExcept(TokenBytes)
            && !line[(colon + 1)..].ContainsAny(InvalidValueBytes);
    }

    private static List<KeyValuePair<string, string>> ReadFields(ReadOnlySpan<byte> fields, int count, out string? host)
    {
        host = null;
        var headers = new List<KeyValuePair<string, string>>(count);
        for (var i = 0; i < count; i++)
        {
            var lineEnd = fields.IndexOf(Crlf);
            var line = fields[..lineEnd];
            fields = fields[(lineEnd + Crlf.Length)..];

            var colon = line.IndexOf((byte)':');
            var nameBytes = line[..colon];
            var valueBytes = line[(colon + 1)..].Trim(Whitespace);
            var name = KnownStrings.HeaderName(nameBytes) ?? Encoding.Latin1.GetString(nameBytes);
            var value = valueBytes.IsEmpty ? "" : Encoding.Latin1.GetString(valueBytes);
            if (host is null && "host"u8.Length == nameBytes.Length && Ascii.EqualsIgnoreCase(nameBytes, "host"u8))
            {
                host = value;
            }

            headers.Add(new KeyValuePair<string, string>(name, value));
        }

        return headers;
    }
}
