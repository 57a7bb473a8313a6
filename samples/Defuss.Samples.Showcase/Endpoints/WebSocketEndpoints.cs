using System.Buffers;
using System.Net.WebSockets;

namespace Defuss.Samples.Showcase.Endpoints;

internal static class WebSocketEndpoints
{
    /// <summary>The largest message echoed; a bigger one is refused with close status 1009 (message too big).</summary>
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    private const int InitialBufferBytes = 16 * 1024;

    /// <summary><c>/ws</c>: echoes every text or binary message, whole, with its type, until the client closes.</summary>
    public static IEndpointRouteBuilder MapWebSocketEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.Map("/ws", EchoAsync);
        return endpoints;
    }

    private static async Task EchoAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("/ws expects a WebSocket upgrade request\n", context.RequestAborted);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        try
        {
            await EchoMessagesAsync(socket, context.RequestAborted);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client vanished without a close handshake: the connection is over either way.
        }
    }

    private static async Task EchoMessagesAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
        try
        {
            while (true)
            {
                // A message may arrive in many frames: gather them all, then echo it as one message.
                var length = 0;
                ValueWebSocketReceiveResult frame;
                do
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= MaxMessageBytes)
                        {
                            await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {MaxMessageBytes} bytes", cancellationToken);
                            return;
                        }

                        buffer = Grow(buffer, length);
                    }

                    frame = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    if (frame.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(
                            socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, cancellationToken);
                        return;
                    }

                    length += frame.Count;
                }
                while (!frame.EndOfMessage);

                await socket.SendAsync(buffer.AsMemory(0, length), frame.MessageType, endOfMessage: true, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Grow(byte[] buffer, int length)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxMessageBytes));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
