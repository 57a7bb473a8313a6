using System.Net.Sockets;
using System.Text;

namespace Defuss.Tests.Integration;

/// <summary>HTTP clients for the integration tests: pooled, one connection per request, or raw bytes on a socket.</summary>
internal static class HttpTestClient
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>A client that keeps one connection alive for every request.</summary>
    public static HttpClient KeepAlive(Uri baseAddress) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = Timeout,
        };

    /// <summary>Sends one GET on a new connection and returns the body.</summary>
    public static async Task<string> GetOnNewConnectionAsync(Uri baseAddress, string path, params (string Name, string Value)[] headers)
    {
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = baseAddress, Timeout = Timeout };
        using var request = NewConnectionGet(path, headers);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Sends one GET on a new connection and returns the status and the body, whatever the status.</summary>
    public static async Task<(System.Net.HttpStatusCode Status, string Body)> SendOnNewConnectionAsync(Uri baseAddress, string path)
    {
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = baseAddress, Timeout = Timeout };
        using var request = NewConnectionGet(path, []);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static HttpRequestMessage NewConnectionGet(string path, (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.ConnectionClose = true;
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    /// <summary>Connects a raw socket to the front door.</summary>
    public static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port).WaitAsync(Timeout);
        return socket;
    }

    /// <summary>Reads until the peer closes its side, and returns everything as Latin-1 text.</summary>
    public static async Task<string> ReadToEndAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var all = new MemoryStream();
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Timeout);
            if (read == 0)
            {
                return Encoding.Latin1.GetString(all.ToArray());
            }

            all.Write(buffer, 0, read);
        }
    }

    /// <summary>Reads until <paramref name="text"/> has been seen <paramref name="times"/> times; returns what was read.</summary>
    public static async Task<string> ReadUntilAsync(Socket socket, string text, int times = 1)
    {
        var buffer = new byte[64 * 1024];
        var all = new StringBuilder();
        while (CountOf(all.ToString(), text) < times)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Timeout);
            if (read == 0)
            {
                break;
            }

            all.Append(Encoding.Latin1.GetString(buffer, 0, read));
        }

        return all.ToString();
    }

    private static int CountOf(string haystack, string needle)
    {
        var count = 0;
        for (var at = haystack.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = haystack.IndexOf(needle, at + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
