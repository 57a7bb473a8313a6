using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Defuss.Hosting;

/// <summary>Where the front door listens, and which setting said so.</summary>
/// <param name="Endpoints">One listener each, routed the same way.</param>
/// <param name="Source">The setting they come from, as an error or a log line names it.</param>
/// <param name="Ignored">URLs of that setting the front door does not serve (https: TLS ends in the workers).</param>
/// <param name="Error">Why no endpoint could be taken from the setting, naming it and its value.</param>
/// <param name="Value">The setting's value, for the messages that name it.</param>
internal sealed record PublicEndpoints(IReadOnlyList<IPEndPoint> Endpoints, string Source, IReadOnlyList<string> Ignored, string? Error, string Value = "")
{
    /// <summary>The setting as a message names it: <c>urls = 'http://localhost:5000'</c>.</summary>
    public string Setting => $"{Source} = '{Value}'";

    /// <summary>Defuss's own settings, named in errors as such.</summary>
    public const string DefussSource = "Defuss:Port";

    /// <summary>
    /// Resolves the endpoints the way an ASP.NET Core app would, with Defuss's own settings first: <c>Defuss:Port</c> or
    /// <c>Defuss:Host</c>, when either is set; else <c>urls</c> (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, the <c>urls</c>
    /// setting, or launchSettings.json's <c>applicationUrl</c> under <c>dotnet run</c>); else <c>http_ports</c>
    /// (<c>ASPNETCORE_HTTP_PORTS</c>); else <c>Defuss:Host</c>:<c>Defuss:Port</c>'s defaults, 0.0.0.0:3000.
    /// </summary>
    public static PublicEndpoints Resolve(DefussOptions options, IConfiguration configuration)
    {
        // Set in configuration, or changed in code (AddDefuss(o => o.Port = 8080)): Defuss's own settings win.
        var defussSet = configuration["Defuss:Port"] is not null || configuration["Defuss:Host"] is not null
            || options.Port != DefussOptions.DefaultPort || options.Host != DefussOptions.DefaultHost;
        if (!defussSet)
        {
            if (configuration[WebHostDefaults.ServerUrlsKey] is { } urls && !string.IsNullOrWhiteSpace(urls))
            {
                return FromUrls(urls);
            }

            if (configuration[WebHostDefaults.HttpPortsKey] is { } ports && !string.IsNullOrWhiteSpace(ports))
            {
                return FromPorts(ports);
            }
        }

        return DefussOptionsValidator.TryParseAddress(options.Host, out var address)
            ? new([new IPEndPoint(address, options.Port)], DefussSource, [], null, options.Port.ToString(CultureInfo.InvariantCulture))
            : new([], DefussSource, [], $"Defuss:Host = '{options.Host}' is invalid: expected an IP address.");
    }

    private static PublicEndpoints FromUrls(string urls)
    {
        const string Source = "urls";
        var endpoints = new List<IPEndPoint>();
        var ignored = new List<string>();
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (scheme, host, port) = Split(url);
            if (scheme == "https")
            {
                ignored.Add(url);
                continue;
            }

            if (scheme != "http" || port is not { } number)
            {
                return new([], Source, [], $"urls = '{urls}' is invalid: '{url}' is not an http URL with a port, such as http://localhost:5000 or http://*:8080.");
            }

            endpoints.AddRange(AddressesOf(host, number).Select(address => new IPEndPoint(address, number)));
        }

        return endpoints.Count > 0
            ? new(endpoints.Distinct().ToArray(), Source, ignored, null, urls)
            : new([], Source, ignored, $"urls = '{urls}' has no http URL: the front door takes plain TCP connections (TLS ends in the workers, with DefussOptions.ConfigureWorkerEndpoint); set an http URL or Defuss:Port.");
    }

    private static PublicEndpoints FromPorts(string ports)
    {
        const string Source = "http_ports";
        var endpoints = new List<IPEndPoint>();
        foreach (var text in ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
            {
                return new([], Source, [], $"http_ports = '{ports}' is invalid: '{text}' is not a port.");
            }

            endpoints.Add(new IPEndPoint(IPAddress.Any, port));
        }

        return new(endpoints, Source, [], null, ports);
    }

    /// <summary>
    /// What a URL's host binds, as Kestrel reads it: an IP address is itself; <c>localhost</c> is the loopback address of
    /// each family the machine has (one family for port 0, whose ports would differ); anything else (<c>*</c>, <c>+</c>,
    /// a name) is every IPv4 interface.
    /// </summary>
    private static IEnumerable<IPAddress> AddressesOf(string host, int port)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return [address];
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return Socket.OSSupportsIPv6 && port != 0 ? [IPAddress.Loopback, IPAddress.IPv6Loopback] : [IPAddress.Loopback];
        }

        return [IPAddress.Any];
    }

    /// <summary>A URL's scheme, host and port, read leniently (<c>*</c> and <c>+</c> are not hosts a <see cref="Uri"/> takes).</summary>
    private static (string Scheme, string Host, int? Port) Split(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return ("", "", null);
        }

        var scheme = url[..schemeEnd].ToLowerInvariant();
        var authority = url[(schemeEnd + 3)..].Split('/')[0];
        var portStart = authority.LastIndexOf(':');
        if (portStart <= 0 || authority.EndsWith(']'))
        {
            return (scheme, authority, scheme == "http" ? 80 : scheme == "https" ? 443 : null);
        }

        return int.TryParse(authority.AsSpan(portStart + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= IPEndPoint.MaxPort
            ? (scheme, authority[..portStart], port)
            : (scheme, authority, null);
    }
}
