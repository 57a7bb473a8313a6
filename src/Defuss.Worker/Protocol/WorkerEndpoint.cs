using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Defuss.Worker.Protocol;

/// <summary>
/// A worker's private endpoint as text: <c>unix:/path/to/socket</c> or <c>tcp:127.0.0.1:5001</c> (<c>tcp:[::1]:5001</c>),
/// both proxied to, or <c>handoff:/path/to/socket</c>, where the worker receives connections as descriptors.
/// </summary>
internal static class WorkerEndpoint
{
    /// <summary>Formats <paramref name="endPoint"/> (a <see cref="UnixDomainSocketEndPoint"/> or an <see cref="IPEndPoint"/>).</summary>
    public static string Format(EndPoint endPoint) => endPoint switch
    {
        UnixDomainSocketEndPoint unix => "unix:" + unix,
        HandoffEndPoint handoff => handoff.ToString(),
        IPEndPoint ip => "tcp:" + ip.ToString(),
        _ => throw new ArgumentException($"Endpoint {endPoint} is neither a Unix domain socket, an IP endpoint nor a handoff endpoint.", nameof(endPoint)),
    };

    /// <summary>Parses the text form; throws <see cref="FormatException"/> naming the bad value.</summary>
    public static EndPoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("unix:", StringComparison.Ordinal) && text.Length > 5)
        {
            return new UnixDomainSocketEndPoint(text[5..]);
        }

        if (text.StartsWith("handoff:", StringComparison.Ordinal) && text.Length > 8)
        {
            return new HandoffEndPoint(text[8..]);
        }

        if (text.StartsWith("tcp:", StringComparison.Ordinal)
            && IPEndPoint.TryParse(text[4..], out var ip)
            && ip.Port is > 0 and <= 65535)
        {
            return ip;
        }

        throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a worker endpoint ('unix:/path', 'tcp:address:port' or 'handoff:/path')."));
    }
}
