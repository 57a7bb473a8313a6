using System.Globalization;
using System.Net;

namespace Defuss.Admin;

/// <summary><c>Defuss:AdminUrl</c> parsed: an <c>http</c> URL whose host is an IP address, <c>localhost</c> or <c>*</c>.</summary>
internal sealed record AdminUrl(IPAddress? Address, int Port)
{
    /// <summary>Whether <paramref name="text"/> is a URL the admin endpoint can listen on.</summary>
    public static bool TryParse(string text, out AdminUrl url)
    {
        url = new AdminUrl(null, 0);
        var wildcard = text.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal);
        if (!Uri.TryCreate(wildcard, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
            || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || uri.IsDefaultPort && !text.Contains(":80", StringComparison.Ordinal))
        {
            return false;
        }

        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            url = new AdminUrl(null, uri.Port);
            return true;
        }

        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            return false;
        }

        url = new AdminUrl(address, uri.Port);
        return true;
    }

    /// <summary>The URL as an operator reads it, with the port actually bound.</summary>
    public static string Format(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip => string.Create(CultureInfo.InvariantCulture, $"http://[{ip.Address}]:{ip.Port}"),
        IPEndPoint ip => string.Create(CultureInfo.InvariantCulture, $"http://{ip.Address}:{ip.Port}"),
        _ => endpoint.ToString() ?? "",
    };
}
