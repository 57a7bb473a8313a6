using System.Net.Sockets;
using System.Text;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>Clients that hold connections: half-open after their response, idle, and more of them than descriptors.</summary>
public abstract partial class ChaosTests
{
    private static readonly byte[] CloseRequest = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    private static readonly byte[] KeepAliveRequest = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");

    [Fact]
    public async Task HalfOpenClients_ThatReadTheirResponseAndNeverClose_DoNotPinThePrimarysSockets()
    {
        await using var defuss = await StartAsync("--Defuss:HalfCloseTimeout=00:00:01");
        await defuss.ReadyPidsAsync();
        var baseline = await BaselineSocketsAsync(defuss);

        var clients = await OpenAsync(defuss.Port, 100, async client =>
        {
            await client.SendAsync(CloseRequest, SocketFlags.None).WaitAsync(HttpTestClient.Timeout);
            (await ReadUntilEndAsync(client)).Should().StartWith("HTTP/1.1 200 OK", "the worker answers and ends its side");
        });
        try
        {
            var after = await ProcessSockets.ReachAsync([defuss.Pid], baseline, within: TimeSpan.FromSeconds(10));
            after.Should().Equal(baseline, "the primary closes what the clients left half-open, while they still hold their sockets");
            Native.IsAlive(defuss.Pid).Should().BeTrue();
            await ServesAgainAsync(defuss);
        }
        finally
        {
            CloseAll(clients);
        }

        await StopsCleanlyAsync(defuss);
    }

    [Fact]
    public async Task IdleClients_BeyondMaxConnections_AreTurnedAwayAtOnce_AndTheServiceServesAgainOnceTheyLeave()
    {
        await using var defuss = await StartAsync("--Defuss:MaxConnections=20");
        await defuss.ReadyPidsAsync();
        var baseline = await BaselineSocketsAsync(defuss);

        // Each sends a head and then nothing more: held open by the worker's keep-alive, they fill the front door.
        var idle = await OpenAsync(defuss.Port, 20, async client =>
        {
            await client.SendAsync(KeepAliveRequest, SocketFlags.None).WaitAsync(HttpTestClient.Timeout);
            (await ReadResponseHeadAsync(client)).Should().StartWith("HTTP/1.1 200 OK");
        });
        try
        {
            using var turnedAway = await HttpTestClient.ConnectAsync(defuss.Port);
            await turnedAway.SendAsync(KeepAliveRequest, SocketFlags.None).WaitAsync(HttpTestClient.Timeout);
            (await ReadUntilEndAsync(turnedAway)).Should().StartWith("HTTP/1.1 503", "the front door holds Defuss:MaxConnections connections");
            await defuss.WaitForLineAsync(@"holds Defuss:MaxConnections \(20\) connections: new ones are turned away");
        }
        finally
        {
            CloseAll(idle);
        }

        await ServesAgainAsync(defuss);
        (await ProcessSockets.SettledCountsAsync([defuss.Pid], expected: baseline)).Should().Equal(baseline);
        await StopsCleanlyAsync(defuss);
    }

    [Fact]
    public async Task DescriptorFlood_UnderALoweredLimit_ThePrimaryStaysUp_AndServesAgainWithinSeconds()
    {
        await using var defuss = await StartWithDescriptorLimitAsync(400);
        await defuss.ReadyPidsAsync();
        var limit = await defuss.WaitForLineAsync(@"may open 400 descriptors .* the front door holds at most (\d+) connections");
        var maxConnections = int.Parse(limit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var baseline = await BaselineSocketsAsync(defuss);

        // Far more connections than the limit allows, each holding its keep-alive connection open.
        var flood = await OpenAsync(defuss.Port, 300, async client =>
        {
            await client.SendAsync(KeepAliveRequest, SocketFlags.None).WaitAsync(HttpTestClient.Timeout);
            await ReadResponseHeadAsync(client);
        });
        try
        {
            Native.IsAlive(defuss.Pid).Should().BeTrue("the primary turns away what it cannot hold, and stays up");
            ProcessSockets.Of(defuss.Pid).Count.Should().BeLessThan(400);
            maxConnections.Should().BeLessThan(300, "the flood is beyond what the limit lets the front door hold");
        }
        finally
        {
            CloseAll(flood);
        }

        await ServesAgainAsync(defuss);
        (await ProcessSockets.SettledCountsAsync([defuss.Pid], expected: baseline)).Should().Equal(baseline);
        await StopsCleanlyAsync(defuss);
    }

    /// <summary>
    /// The primary's sockets once what stays open is open (each worker's handoff channel opens with its first connection):
    /// the count every flood must return to.
    /// </summary>
    private static async Task<int[]> BaselineSocketsAsync(DefussProcess defuss)
    {
        for (var i = 0; i < 8; i++)
        {
            await ServesAgainAsync(defuss);
        }

        return await ProcessSockets.SettledCountsAsync([defuss.Pid]);
    }

    /// <summary>Opens <paramref name="count"/> connections, eight at a time, each running <paramref name="use"/>, and keeps them open.</summary>
    private static async Task<List<Socket>> OpenAsync(int port, int count, Func<Socket, Task> use)
    {
        var sockets = new List<Socket>(count);
        try
        {
            for (var batch = 0; batch < count; batch += 8)
            {
                await Task.WhenAll(Enumerable.Range(batch, Math.Min(8, count - batch)).Select(async _ =>
                {
                    var socket = await HttpTestClient.ConnectAsync(port);
                    lock (sockets)
                    {
                        sockets.Add(socket);
                    }

                    await use(socket);
                    return socket;
                }));
            }

            return sockets;
        }
        catch
        {
            CloseAll(sockets);
            throw;
        }
    }

    private static void CloseAll(List<Socket> sockets)
    {
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }

    /// <summary>Reads until the other side ends the connection (FIN or reset), within the client timeout.</summary>
    private static async Task<string> ReadUntilEndAsync(Socket socket)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(HttpTestClient.Timeout)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            // A reset after the response: what was read stands.
        }

        return text.ToString();
    }

    /// <summary>Reads a response head (up to the blank line), or what came before the connection ended.</summary>
    private static async Task<string> ReadResponseHeadAsync(Socket socket)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal)
                && (read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(HttpTestClient.Timeout)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Turned away with a reset: the caller sees what came, if anything.
        }

        return text.ToString();
    }
}
