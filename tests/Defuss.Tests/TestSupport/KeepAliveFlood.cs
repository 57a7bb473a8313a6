using System.Net.Sockets;
using System.Text;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// Many keep-alive clients at once, each of which sends one request and keeps its connection open until the flood is
/// disposed: what a crowd of idle browsers does to the processes that hold their connections.
/// </summary>
internal sealed class KeepAliveFlood : IDisposable
{
    /// <summary>What a client heard: its status code, <see cref="Closed"/> (the connection ended unanswered) or <see cref="Silent"/>.</summary>
    public const string Closed = "closed";

    /// <summary>No answer and no end within the wait.</summary>
    public const string Silent = "silent";

    private readonly List<Socket> _clients;

    private KeepAliveFlood(List<Socket> clients) => _clients = clients;

    public int Count => _clients.Count;

    /// <summary>Opens <paramref name="count"/> connections to 127.0.0.1:<paramref name="port"/>, each sending <c>GET</c> <paramref name="path"/>.</summary>
    public static async Task<KeepAliveFlood> OpenAsync(int port, int count, string path = "/pid")
    {
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var clients = new List<Socket>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                clients.Add(client);
                await client.ConnectAsync("127.0.0.1", port).WaitAsync(TestTimeouts.Default);
                await client.SendAsync(request, SocketFlags.None).WaitAsync(TestTimeouts.Default);
            }

            return new KeepAliveFlood(clients);
        }
        catch
        {
            clients.ForEach(client => client.Dispose());
            throw;
        }
    }

    /// <summary>What each client heard within <paramref name="within"/>, counted by answer (<c>200</c>, <c>503</c>, <see cref="Closed"/>, <see cref="Silent"/>).</summary>
    public async Task<Dictionary<string, int>> AnswersAsync(TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        var answers = await Task.WhenAll(_clients.Select(client => AnswerAsync(client, deadline.Token)));
        return answers.GroupBy(answer => answer).ToDictionary(group => group.Key, group => group.Count());
    }

    public void Dispose() => _clients.ForEach(client => client.Dispose());

    private static async Task<string> AnswerAsync(Socket client, CancellationToken deadline)
    {
        var buffer = new byte[12];
        var filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                var read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, deadline);
                if (read == 0)
                {
                    return Closed;
                }

                filled += read;
            }

            return Encoding.ASCII.GetString(buffer, 9, 3);
        }
        catch (OperationCanceledException)
        {
            return Silent;
        }
        catch (SocketException)
        {
            return Closed;
        }
    }
}
