using System.Net;
using System.Net.Sockets;
using System.Text;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// An <see cref="HttpClient"/> whose every connection goes to one worker's private endpoint (a Unix domain socket or
/// loopback TCP) and starts, as the primary's do, with a PROXY v2 header (LOCAL: no client address) that carries the
/// worker's secret.
/// </summary>
internal static class PrivateEndpointHttp
{
    public static HttpClient CreateClient(string socketPath, string secret) => CreateClient(new UnixDomainSocketEndPoint(socketPath), secret);

    public static HttpClient CreateClient(EndPoint endPoint, string secret)
    {
        var header = new byte[ProxyProtocolV2.MaxWrittenLength];
        header = header[..ProxyProtocolV2.WriteLocal(header, Encoding.UTF8.GetBytes(secret))];
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = endPoint is UnixDomainSocketEndPoint
                    ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                    : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(endPoint, cancellationToken);
                    await socket.SendAsync(header, SocketFlags.None, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://localhost"), Timeout = TestTimeouts.Default };
    }
}
