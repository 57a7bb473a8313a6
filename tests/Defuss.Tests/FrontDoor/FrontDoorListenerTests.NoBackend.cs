using System.Net.Sockets;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.FrontDoor;

public sealed partial class FrontDoorListenerTests
{
    [Fact]
    public async Task Connection_NoBackend_HttpClientGets503WithRetryAfter()
    {
        var (listener, frontDoor) = await StartAsync(FakeBackendSelector.Always(null));
        await using var _ = listener;

        var response = await GetAsync(frontDoor, "/");

        var (head, body) = SplitResponse(response);
        head.Should().StartWith("HTTP/1.1 503 Service Unavailable\r\n")
            .And.Contain("\r\nRetry-After: 7\r\n")
            .And.Contain("\r\nContent-Type: text/plain\r\n")
            .And.Contain($"\r\nContent-Length: {body.Length}\r\n")
            .And.Contain("\r\nConnection: close");
        body.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Connection_NoBackendForUnknownProtocol_IsClosed()
    {
        var (listener, frontDoor) = await StartAsync(FakeBackendSelector.Always(null));
        await using var _ = listener;

        using var client = await TestSockets.ConnectAsync(frontDoor);
        await TestSockets.SendAsync(client, new byte[] { 0x16, 0x03, 0x01 });

        // The unread bytes make the close a reset; either way the client learns that the connection is over.
        var ended = await EndedAsync(client);
        ended.Should().BeOneOf("eof", nameof(SocketError.ConnectionReset));
    }

    [Fact]
    public async Task Connection_NoBackendForAHeadThatCameAfterTheInspectionTimeout_HttpClientStillGets503()
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var selector = new FakeBackendSelector((request, _) =>
        {
            // Routed as Unknown after the timeout; the client's head arrives only now.
            request.Protocol.Should().Be(Defuss.Actors.Routing.RequestProtocol.Unknown);
            client.Send("GET /late HTTP/1.1\r\nHost: front.example\r\n\r\n"u8);
            return null;
        });
        var (listener, frontDoor) = await StartAsync(selector, Options(TimeSpan.FromMilliseconds(250)));
        await using var _ = listener;

        await client.ConnectAsync(frontDoor).WaitAsync(TestTimeouts.Default);

        (await TestSockets.ReadToEndAsStringAsync(client)).Should().StartWith("HTTP/1.1 503 ");
        selector.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Connection_SelectorThrows_HttpClientGets503AndAWarningIsLogged()
    {
        var selector = new FakeBackendSelector((_, _) => null) { Throw = _ => new TimeoutException("router did not answer") };
        var (listener, frontDoor) = await StartAsync(selector);
        await using var _ = listener;

        (await GetAsync(frontDoor, "/")).Should().StartWith("HTTP/1.1 503 ");
        _logs.Entries.Should().Contain(e => e.EventId.Id == 3010 && e.Exception is TimeoutException);
    }

    [Fact]
    public async Task Connection_FirstCandidateRefuses_ReportsTheFailureAndTheSecondServes()
    {
        using var refusing = TestSockets.RefusingEndPoint(out var refused);
        await using var backend = TestBackend.StartTcpHttp("w1");
        var selector = FakeBackendSelector.Sequence(FakeBackendSelector.Candidate(refused, 0), FakeBackendSelector.Candidate(backend.EndPoint, 1));
        var (listener, frontDoor) = await StartAsync(selector);
        await using var _ = listener;

        var response = await GetAsync(frontDoor, "/retry");

        response.Should().StartWith("HTTP/1.1 200 OK").And.EndWith("w1 GET /retry");
        selector.ConnectFailures.Should().ContainSingle().Which.Backend.Id.Should().Be("worker-0");
        await selector.Releases.WaitForAsync(2);
        selector.Released.Select(b => b.Id).Should().Equal("worker-0", "worker-1");
    }

    [Fact]
    public async Task Connection_EveryCandidateRefuses_HttpClientGets503AfterConnectAttempts()
    {
        using var refusing = TestSockets.RefusingEndPoint(out var refused);
        var selector = FakeBackendSelector.Always(FakeBackendSelector.Candidate(refused));
        var (listener, frontDoor) = await StartAsync(selector, Options() with { ConnectAttempts = 3 });
        await using var _ = listener;

        (await GetAsync(frontDoor, "/")).Should().StartWith("HTTP/1.1 503 ");
        selector.ConnectFailures.Should().HaveCount(3);
        selector.Requests.Should().HaveCount(3);
        await selector.Releases.WaitForAsync(3);
    }

    [Fact]
    public async Task Connection_OneConnectAttempt_HttpClientGets503WithoutTryingAnother()
    {
        using var refusing = TestSockets.RefusingEndPoint(out var refused);
        var selector = FakeBackendSelector.Always(FakeBackendSelector.Candidate(refused));
        var (listener, frontDoor) = await StartAsync(selector, Options() with { ConnectAttempts = 1 });
        await using var _ = listener;

        (await GetAsync(frontDoor, "/")).Should().StartWith("HTTP/1.1 503 ");
        selector.ConnectFailures.Should().ContainSingle();
        selector.Requests.Should().ContainSingle();
        await selector.Releases.WaitForAsync(1);
    }

    private static async Task<string> EndedAsync(Socket client)
    {
        try
        {
            var rest = await TestSockets.ReadToEndAsync(client);
            rest.Should().BeEmpty();
            return "eof";
        }
        catch (SocketException exception)
        {
            return exception.SocketErrorCode.ToString();
        }
    }

    private static (string Head, string Body) SplitResponse(string response)
    {
        var end = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        end.Should().BePositive();
        return (response[..(end + 2)], response[(end + 4)..]);
    }
}
