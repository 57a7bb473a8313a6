using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Defuss.Bench.Load.Scenarios;

/// <summary>
/// Sends a scenario's request once and checks the answer before any load: a topology that answers wrongly (a Node
/// anchor that drifted from the Showcase, a proxy that mangles bodies) fails here instead of posting a fast, wrong rate.
/// </summary>
internal static class ScenarioCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly HttpClient Client = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = Timeout };

    /// <summary>Null when the answer is right, else what is wrong with it.</summary>
    public static async Task<string?> RunAsync(Scenario scenario, Uri baseAddress, CancellationToken cancellationToken)
    {
        if (scenario.Kind == ScenarioKind.WebSocket)
        {
            return await WebSocketAsync(baseAddress, cancellationToken);
        }

        using var request = new HttpRequestMessage(new HttpMethod(scenario.Method), new Uri(baseAddress, scenario.Path));
        request.Headers.ConnectionClose = scenario.CloseConnection;
        var body = RequestBodies.For(scenario.Body);
        if (scenario.Body != RequestBody.None)
        {
            request.Content = new ReadOnlyMemoryContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(RequestBodies.ContentType(scenario.Body)!);
        }

        using var response = await Client.SendAsync(request, cancellationToken);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return $"{scenario.Method} {scenario.Path} answered {(int)response.StatusCode}: {Shorten(answer)}";
        }

        return Check(scenario, body.Span, answer);
    }

    /// <summary>Whether <paramref name="answer"/> is what the Showcase answers to the scenario's request.</summary>
    internal static string? Check(Scenario scenario, ReadOnlySpan<byte> sent, byte[] answer) => scenario.Name switch
    {
        ScenarioCatalog.Get or ScenarioCatalog.GetClose =>
            answer.AsSpan().SequenceEqual("hello"u8) ? null : $"GET / answered {Shorten(answer)}, not hello",
        ScenarioCatalog.JsonGenerate =>
            answer.AsSpan().SequenceEqual(RequestBodies.JsonMedium.Span) ? null : $"GET {scenario.Path} answered other JSON than the Showcase's medium document: {Shorten(answer)}",
        ScenarioCatalog.JsonEchoSmall or ScenarioCatalog.JsonEchoMedium or ScenarioCatalog.JsonEchoLarge =>
            answer.AsSpan().SequenceEqual(sent) ? null : $"POST /json/echo answered {answer.Length} bytes that are not the {sent.Length} sent",
        ScenarioCatalog.JsonTransform => CheckTransform(answer),
        ScenarioCatalog.Upload => CheckUpload(sent, answer),
        _ => null,
    };

    private static string? CheckTransform(byte[] answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            var root = document.RootElement;
            var names = root.GetProperty("stats").GetProperty("names").GetInt32();
            var first = root.GetProperty("data").GetProperty("users")[0].GetProperty("name").GetString();
            return names == 100 && first == "USER 1" ? null : $"POST /json/transform counted {names} names (not 100) and made '{first}' of 'user 1'";
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return $"POST /json/transform answered no data and stats: {Shorten(answer)}";
        }
    }

    private static string? CheckUpload(ReadOnlySpan<byte> sent, byte[] answer)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(sent));
        try
        {
            using var document = JsonDocument.Parse(answer);
            var received = document.RootElement.GetProperty("received").GetInt64();
            var hash = document.RootElement.GetProperty("sha256").GetString();
            return received == sent.Length && hash == sha256 ? null : $"POST /upload reported {received} bytes hashing to {hash}, not {sent.Length} to {sha256}";
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"POST /upload answered no length and hash: {Shorten(answer)}";
        }
    }

    private static async Task<string?> WebSocketAsync(Uri baseAddress, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        using var socket = new ClientWebSocket();
        var url = new UriBuilder(baseAddress) { Scheme = "ws", Path = "/ws" }.Uri;
        try
        {
            await socket.ConnectAsync(url, deadline.Token);
            var message = Encoding.ASCII.GetBytes("defuss bench check");
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, deadline.Token);
            var buffer = new byte[256];
            var frame = await socket.ReceiveAsync(buffer.AsMemory(), deadline.Token);
            var echoed = frame.EndOfMessage && frame.MessageType == WebSocketMessageType.Text && buffer.AsSpan(0, frame.Count).SequenceEqual(message);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "checked", deadline.Token);
            return echoed ? null : $"/ws answered {Shorten(buffer[..frame.Count])} ({frame.MessageType}), not the text sent";
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"/ws did not echo: {exception.Message}";
        }
    }

    private static string Shorten(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 200));
        return bytes.Length > 200 ? text + "…" : text;
    }
}
