using System.Globalization;
using System.Text;

namespace Defuss.FrontDoor;

/// <summary>The bytes of the <c>503 Service Unavailable</c> an HTTP/1 client gets when no worker can take its connection.</summary>
internal static class ServiceUnavailableResponse
{
    private const string Body = "Service Unavailable: no worker can take this request now. Please retry.\n";

    /// <summary>The whole response, with <c>Retry-After: <paramref name="retryAfterSeconds"/></c>.</summary>
    public static byte[] Create(int retryAfterSeconds)
    {
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 503 Service Unavailable\r\nRetry-After: {Math.Max(0, retryAfterSeconds)}\r\nContent-Type: text/plain\r\nContent-Length: {Body.Length}\r\nConnection: close\r\n\r\n{Body}");
        return Encoding.ASCII.GetBytes(text);
    }
}
