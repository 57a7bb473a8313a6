using System.Diagnostics;
using System.Net.WebSockets;
using Defuss.Bench.Load.Results;

namespace Defuss.Bench.Load.Drivers;

/// <summary>
/// The WebSocket echo load, made by the bench itself (wrk speaks no WebSocket): N connections opened first, then each
/// sends a message and awaits its echo, again and again, for the duration; every round trip is timed.
/// </summary>
internal static class WebSocketDriver
{
    /// <summary>How long opening every connection, or closing them, may take.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long one echo may take before the round trip counts as a timeout.</summary>
    private static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(5);

    public static async Task<LoadSample> RunAsync(Uri baseAddress, int connections, int messageBytes, TimeSpan duration, CancellationToken cancellationToken)
    {
        var url = new UriBuilder(baseAddress) { Scheme = "ws", Path = "/ws" }.Uri;
        var message = Message(messageBytes);
        var sockets = new ClientWebSocket?[connections];
        var connectErrors = 0L;
        try
        {
            using (var opening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                opening.CancelAfter(HandshakeTimeout);
                await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
                {
                    var socket = new ClientWebSocket();
                    socket.Options.KeepAliveInterval = TimeSpan.Zero;
                    try
                    {
                        await socket.ConnectAsync(url, opening.Token);
                        sockets[i] = socket;
                    }
                    catch (Exception exception) when (exception is WebSocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        socket.Dispose();
                        Interlocked.Increment(ref connectErrors);
                    }
                }));
            }

            var clock = Stopwatch.StartNew();
            var loops = sockets.Where(s => s is not null).Select(s => Task.Run(() => EchoLoopAsync(s!, message, duration, clock, cancellationToken), cancellationToken)).ToArray();
            var results = await Task.WhenAll(loops);
            var seconds = clock.Elapsed.TotalSeconds;

            var latencies = results.SelectMany(r => r.LatencyTicks).ToArray();
            Array.Sort(latencies);
            var errors = results.Aggregate(new ErrorCounts(connectErrors, 0, 0, 0, 0), (sum, r) => sum + r.Errors);
            return new LoadSample(
                Requests: latencies.LongLength,
                Seconds: seconds,
                P50Ms: latencies.Length == 0 ? 0 : Stats.Percentile(latencies, 50) * 1000.0 / Stopwatch.Frequency,
                P99Ms: latencies.Length == 0 ? 0 : Stats.Percentile(latencies, 99) * 1000.0 / Stopwatch.Frequency,
                Errors: errors);
        }
        finally
        {
            await CloseAllAsync(sockets);
        }
    }

    private static async Task<(List<long> LatencyTicks, ErrorCounts Errors)> EchoLoopAsync(
        ClientWebSocket socket, byte[] message, TimeSpan duration, Stopwatch clock, CancellationToken cancellationToken)
    {
        var latencies = new List<long>(capacity: 64 * 1024);
        var received = new byte[message.Length + 1];
        long readErrors = 0, writeErrors = 0, timeouts = 0;
        while (clock.Elapsed < duration && socket.State == WebSocketState.Open)
        {
            using var echo = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            echo.CancelAfter(EchoTimeout);
            var started = Stopwatch.GetTimestamp();
            try
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, echo.Token);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                writeErrors++;
                break;
            }

            try
            {
                var length = 0;
                ValueWebSocketReceiveResult frame;
                do
                {
                    frame = await socket.ReceiveAsync(received.AsMemory(Math.Min(length, message.Length)), echo.Token);
                    length += frame.Count;
                }
                while (!frame.EndOfMessage && frame.MessageType != WebSocketMessageType.Close);

                if (frame.MessageType == WebSocketMessageType.Close || length != message.Length || !received.AsSpan(0, length).SequenceEqual(message))
                {
                    readErrors++;
                    break;
                }

                latencies.Add(Stopwatch.GetTimestamp() - started);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                timeouts++;
                break;
            }
            catch (WebSocketException)
            {
                readErrors++;
                break;
            }
        }

        return (latencies, new ErrorCounts(0, readErrors, writeErrors, timeouts, 0));
    }

    private static async Task CloseAllAsync(ClientWebSocket?[] sockets)
    {
        using var closing = new CancellationTokenSource(HandshakeTimeout);
        await Task.WhenAll(sockets.Where(s => s is not null).Select(async socket =>
        {
            try
            {
                if (socket!.State == WebSocketState.Open)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", closing.Token);
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
                // The run is over either way: a connection that does not close in time is aborted by Dispose.
            }
            finally
            {
                socket!.Dispose();
            }
        }));
    }

    /// <summary>A text message of <paramref name="bytes"/> ASCII letters.</summary>
    private static byte[] Message(int bytes) => Enumerable.Range(0, bytes).Select(i => (byte)('a' + (i % 26))).ToArray();
}
