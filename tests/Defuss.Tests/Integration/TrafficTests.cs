using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Integration;

/// <summary>Traffic of every kind through the front door to two real worker processes.</summary>
public abstract class TrafficTests(string delivery, ShowcaseFixture fixture) : IAsyncLifetime
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff(ShowcaseFixture fixture) : TrafficTests(Delivery.Handoff, fixture);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy(ShowcaseFixture fixture) : TrafficTests(Delivery.Proxy, fixture);

    private DefussProcess? _process;

    private DefussProcess Process => _process ?? throw new InvalidOperationException("The Showcase has not started.");

    private Uri BaseAddress => Process.BaseAddress;

    public async Task InitializeAsync() => _process = await fixture.ProcessAsync(delivery);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Health_AnswersFromAWorker()
    {
        using var client = HttpTestClient.KeepAlive(BaseAddress);

        using var health = JsonDocument.Parse(await client.GetStringAsync("/health"));

        health.RootElement.GetProperty("ok").GetBoolean().Should().BeTrue();
        Process.WorkerPids.Should().Contain(health.RootElement.GetProperty("pid").GetInt32());
        health.RootElement.GetProperty("worker").GetInt32().Should().BeInRange(0, 1);
    }

    [Fact]
    public async Task NewConnections_AreSpreadOverBothWorkers()
    {
        var pids = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            pids.Add(await HttpTestClient.GetOnNewConnectionAsync(BaseAddress, "/pid"));
        }

        pids.Should().HaveCount(2);
    }

    [Fact]
    public async Task KeepAliveConnection_StaysOnOneWorker()
    {
        using var client = HttpTestClient.KeepAlive(BaseAddress);

        var pids = new HashSet<string>();
        for (var i = 0; i < 10; i++)
        {
            pids.Add(await client.GetStringAsync("/pid"));
        }

        pids.Should().ContainSingle();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1024)]
    [InlineData(64 * 1024)]
    [InlineData(50 * 1024 * 1024)]
    public async Task Upload_ArrivesWhole(int size)
    {
        var body = new byte[size];
        new Random(size).NextBytes(body);
        using var client = HttpTestClient.KeepAlive(BaseAddress);

        using var response = await client.PostAsync("/upload", new ByteArrayContent(body));

        response.EnsureSuccessStatusCode();
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        result.RootElement.GetProperty("received").GetInt64().Should().Be(size);
        result.RootElement.GetProperty("sha256").GetString().Should().Be(Convert.ToHexStringLower(SHA256.HashData(body)));
    }

    [Fact]
    public async Task ServerSentEvents_ArriveAsTheyAreWritten()
    {
        using var client = HttpTestClient.KeepAlive(BaseAddress);
        using var response = await client.GetAsync("/sse", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = await NextEventAsync(reader);
        var firstArrivedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await NextEventAsync(reader);
        var last = await NextEventAsync(reader);

        first.GetProperty("count").GetInt32().Should().Be(1);
        last.GetProperty("count").GetInt32().Should().Be(3);
        firstArrivedAt.Should().BeLessThan(last.GetProperty("ts").GetInt64(), "the first event must reach the client before the last one is written");
    }

    [Fact]
    public async Task WebSocket_EchoesTextAndALargeBinaryMessage()
    {
        using var socket = new ClientWebSocket();
        var uri = new UriBuilder(BaseAddress) { Scheme = "ws", Path = "/ws" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(HttpTestClient.Timeout);

        var text = Encoding.UTF8.GetBytes("hello over a proxied websocket");
        await socket.SendAsync(text, WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(HttpTestClient.Timeout);
        var (textType, textEcho) = await ReceiveMessageAsync(socket);

        var binary = new byte[1024 * 1024];
        new Random(7).NextBytes(binary);
        await socket.SendAsync(binary, WebSocketMessageType.Binary, true, CancellationToken.None).WaitAsync(HttpTestClient.Timeout);
        var (binaryType, binaryEcho) = await ReceiveMessageAsync(socket);

        textType.Should().Be(WebSocketMessageType.Text);
        textEcho.Should().Equal(text);
        binaryType.Should().Be(WebSocketMessageType.Binary);
        binaryEcho.Should().Equal(binary);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(HttpTestClient.Timeout);
    }

    [Fact]
    public async Task PipelinedRequests_AreAllAnswered()
    {
        using var socket = await HttpTestClient.ConnectAsync(Process.Port);
        var requests = string.Concat(Enumerable.Repeat("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", 3));

        await socket.SendAsync(Encoding.ASCII.GetBytes(requests), SocketFlags.None);
        var responses = await HttpTestClient.ReadUntilAsync(socket, "hello", times: 3);

        responses.Split("HTTP/1.1 200 OK").Length.Should().Be(4);
    }

    /// <remarks>
    /// Kestrel treats a client's FIN as the end of the connection and answers nothing (a plain Kestrel process does the
    /// same). A proxy that swallowed the half-close would get a 200 instead; one that lost it would hang.
    /// </remarks>
    [Fact]
    public async Task ClientHalfClose_ReachesTheWorkerAndTheConnectionEnds()
    {
        using var socket = await HttpTestClient.ConnectAsync(Process.Port);

        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /slow?ms=200 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), SocketFlags.None);
        socket.Shutdown(SocketShutdown.Send);
        var response = await HttpTestClient.ReadToEndAsync(socket);

        response.Should().BeEmpty("the worker's Kestrel saw the client's half-close and closed the connection");
    }

    [Fact]
    public async Task BytesThatAreNotHttp_AreStillForwardedToAWorker()
    {
        using var socket = await HttpTestClient.ConnectAsync(Process.Port);

        await socket.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x05, 0xde, 0xad, 0xbe, 0xef, 0x00, (byte)'\r', (byte)'\n', (byte)'\r', (byte)'\n' }, SocketFlags.None);
        var response = await HttpTestClient.ReadToEndAsync(socket);

        response.Should().StartWith("HTTP/1.1 400", "the worker's Kestrel, not the front door, answers bytes it cannot parse");
    }

    [Fact]
    public async Task Client_SeenByTheWorker_IsTheRealClientAddressAndPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)socket.LocalEndPoint!;
        await socket.ConnectAsync(IPAddress.Loopback, Process.Port).WaitAsync(HttpTestClient.Timeout);

        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /client HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), SocketFlags.None);
        var response = await HttpTestClient.ReadToEndAsync(socket);

        response.Should().StartWith("HTTP/1.1 200");
        var json = response[response.IndexOf('{', StringComparison.Ordinal)..(response.LastIndexOf('}') + 1)];
        using var client = JsonDocument.Parse(json);
        client.RootElement.GetProperty("remoteIp").GetString().Should().Be("127.0.0.1");
        client.RootElement.GetProperty("remotePort").GetInt32().Should().Be(local.Port);
    }

    /// <remarks>
    /// The front door never parses a client's PROXY header, so it reaches the worker after Defuss's own, as request
    /// bytes: Kestrel answers 400 (or, were it ever to parse, still sees the real client).
    /// </remarks>
    [Fact]
    public async Task Client_SendingItsOwnProxyHeader_CannotSpoofItsAddress()
    {
        using var socket = await HttpTestClient.ConnectAsync(Process.Port);
        var header = new byte[ProxyProtocolV2.MaxWrittenLength];
        var length = ProxyProtocolV2.Write(header, new IPEndPoint(IPAddress.Parse("198.51.100.1"), 1111), local: null, secret: default);
        var request = Encoding.ASCII.GetBytes("GET /client HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        await socket.SendAsync(header.Take(length).Concat(request).ToArray(), SocketFlags.None);
        var response = await TestSockets.ReadUntilClosedOrResetAsync(socket, HttpTestClient.Timeout);

        response.Should().NotBeEmpty().And.NotContain("198.51.100.1");
        response.Should().Match(r => r.StartsWith("HTTP/1.1 400", StringComparison.Ordinal) || r.Contains("127.0.0.1", StringComparison.Ordinal));
    }


    private static async Task<JsonElement> NextEventAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync().WaitAsync(HttpTestClient.Timeout) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }

        throw new EndOfStreamException("The event stream ended early.");
    }

    private static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveMessageAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(HttpTestClient.Timeout);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }
}
