using System.Diagnostics.CodeAnalysis;

namespace Defuss.Actors.Routing;

/// <summary>
/// What a consistent-hash router hashes: <c>header:Name</c>, <c>cookie:name</c> or <c>client-address</c> (the default).
/// </summary>
internal sealed class RoutingKey
{
    public const string ClientAddressSpec = "client-address";

    private readonly Kind _kind;
    private readonly string _name;

    private RoutingKey(Kind kind, string name) => (_kind, _name) = (kind, name);

    private enum Kind
    {
        ClientAddress,
        Header,
        Cookie,
    }

    public static RoutingKey ClientAddress { get; } = new(Kind.ClientAddress, "");

    public static bool TryParse(string? spec, [NotNullWhen(true)] out RoutingKey? key)
    {
        var text = spec?.Trim() ?? "";
        key = text switch
        {
            _ when text.Equals(ClientAddressSpec, StringComparison.OrdinalIgnoreCase) => ClientAddress,
            _ when text.StartsWith("header:", StringComparison.OrdinalIgnoreCase) && text.Length > 7 => new(Kind.Header, text[7..].Trim()),
            _ when text.StartsWith("cookie:", StringComparison.OrdinalIgnoreCase) && text.Length > 7 => new(Kind.Cookie, text[7..].Trim()),
            _ => null,
        };
        return key is not null;
    }

    /// <summary>The key of <paramref name="request"/>, or <c>null</c> when it has none.</summary>
    public string? From(ParsedRequest request) => _kind switch
    {
        Kind.ClientAddress => request.ClientAddress?.ToString(),
        Kind.Header => request.GetHeader(_name) is { Length: > 0 } value ? value : null,
        _ => CookieOf(request),
    };

    private string? CookieOf(ParsedRequest request)
    {
        foreach (var header in request.GetHeaderValues("Cookie"))
        {
            foreach (var pair in header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && pair.AsSpan(0, equals).Trim().Equals(_name, StringComparison.Ordinal) && equals < pair.Length - 1)
                {
                    return pair[(equals + 1)..];
                }
            }
        }

        return null;
    }
}
