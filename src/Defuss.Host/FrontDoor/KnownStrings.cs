namespace Defuss.FrontDoor;

/// <summary>
/// The methods and header names most requests carry, returned as shared strings when the bytes match exactly,
/// so that parsing a common head allocates only its values.
/// </summary>
internal static class KnownStrings
{
    /// <summary>The shared string for a standard method, or <c>null</c>.</summary>
    public static string? Method(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        3 when bytes.SequenceEqual("GET"u8) => "GET",
        3 when bytes.SequenceEqual("PUT"u8) => "PUT",
        4 when bytes.SequenceEqual("POST"u8) => "POST",
        4 when bytes.SequenceEqual("HEAD"u8) => "HEAD",
        5 when bytes.SequenceEqual("PATCH"u8) => "PATCH",
        5 when bytes.SequenceEqual("TRACE"u8) => "TRACE",
        6 when bytes.SequenceEqual("DELETE"u8) => "DELETE",
        7 when bytes.SequenceEqual("OPTIONS"u8) => "OPTIONS",
        7 when bytes.SequenceEqual("CONNECT"u8) => "CONNECT",
        _ => null,
    };

    /// <summary>
    /// The shared string for a common header name spelled as browsers and clients send it (a browser's navigation
    /// carries a dozen, its fetch metadata and client hints included), or <c>null</c>.
    /// </summary>
    public static string? HeaderName(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        4 when bytes.SequenceEqual("Host"u8) => "Host",
        4 when bytes.SequenceEqual("host"u8) => "host",
        6 when bytes.SequenceEqual("Accept"u8) => "Accept",
        6 when bytes.SequenceEqual("Cookie"u8) => "Cookie",
        6 when bytes.SequenceEqual("Origin"u8) => "Origin",
        6 when bytes.SequenceEqual("Pragma"u8) => "Pragma",
        7 when bytes.SequenceEqual("Referer"u8) => "Referer",
        8 when bytes.SequenceEqual("Priority"u8) => "Priority",
        9 when bytes.SequenceEqual("sec-ch-ua"u8) => "sec-ch-ua",
        10 when bytes.SequenceEqual("User-Agent"u8) => "User-Agent",
        10 when bytes.SequenceEqual("Connection"u8) => "Connection",
        12 when bytes.SequenceEqual("Content-Type"u8) => "Content-Type",
        13 when bytes.SequenceEqual("Authorization"u8) => "Authorization",
        13 when bytes.SequenceEqual("Cache-Control"u8) => "Cache-Control",
        13 when bytes.SequenceEqual("If-None-Match"u8) => "If-None-Match",
        14 when bytes.SequenceEqual("Content-Length"u8) => "Content-Length",
        14 when bytes.SequenceEqual("Sec-Fetch-Site"u8) => "Sec-Fetch-Site",
        14 when bytes.SequenceEqual("Sec-Fetch-Mode"u8) => "Sec-Fetch-Mode",
        14 when bytes.SequenceEqual("Sec-Fetch-User"u8) => "Sec-Fetch-User",
        14 when bytes.SequenceEqual("Sec-Fetch-Dest"u8) => "Sec-Fetch-Dest",
        15 when bytes.SequenceEqual("Accept-Encoding"u8) => "Accept-Encoding",
        15 when bytes.SequenceEqual("Accept-Language"u8) => "Accept-Language",
        16 when bytes.SequenceEqual("sec-ch-ua-mobile"u8) => "sec-ch-ua-mobile",
        17 when bytes.SequenceEqual("If-Modified-Since"u8) => "If-Modified-Since",
        18 when bytes.SequenceEqual("sec-ch-ua-platform"u8) => "sec-ch-ua-platform",
        25 when bytes.SequenceEqual("Upgrade-Insecure-Requests"u8) => "Upgrade-Insecure-Requests",
        _ => null,
    };
}
