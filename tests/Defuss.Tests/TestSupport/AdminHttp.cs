using System.Net.Sockets;
using System.Text.Json;

namespace Defuss.Tests.TestSupport;

/// <summary>HTTP clients for a primary's admin endpoint: over its local admin socket, or its TCP URL.</summary>
internal static class AdminHttp
{
    /// <summary>A client that talks to the admin socket at <paramref name="path"/>.</summary>
    public static HttpClient ForSocket(string path) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://localhost/"),
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>A client for the admin endpoint at <paramref name="url"/>.</summary>
    public static HttpClient ForUrl(string url) => new() { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };

    /// <summary><c>GET /status</c>, parsed.</summary>
    public static async Task<JsonElement> StatusAsync(this HttpClient client)
    {
        using var response = await client.GetAsync("status");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Polls <c>/status</c> until <paramref name="condition"/> holds, or fails after <paramref name="timeout"/> with the last one.</summary>
    public static async Task<JsonElement> StatusWhenAsync(this HttpClient client, Func<JsonElement, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = await client.StatusAsync();
            if (condition(status))
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The status never matched; the last one: " + status);
            }

            await Native.ProcessExitPollAsync();
        }
    }
}
