using System.Net;
using System.Net.Sockets;
using Defuss.FrontDoor;
using Defuss.Telemetry;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.FrontDoor;

/// <summary>The front door at <see cref="FrontDoorOptions.MaxConnections"/>: beyond it, new connections are turned away at once.</summary>
public sealed partial class FrontDoorListenerTests
{
    /// <summary>A proxied connection to the echo backend that stays open: its request is echoed back, and nobody closes it.</summary>
    private static async Task<Socket> OpenEchoedAsync(EndPoint frontDoor)
    {
        var client = await TestSockets.ConnectAsync(frontDoor);
        const string Request = "GET /held HTTP/1.1\r\nHost: front.example\r\n\r\n";
        await TestSockets.SendAsync(client, Request);
        (await TestSockets.ReadExactlyAsync(client, Request.Length)).Should().Equal(System.Text.Encoding.Latin1.GetBytes(Request));
        return client;
    }

    [Fact]
    public async Task Connection_AtMaxConnections_GetsA503AtOnce_IsCounted_AndServesAgainOnceOneEnds()
    {
        await using var echo = TestBackend.StartTcpEcho();
        var selector = FakeBackendSelector.Always(FakeBackendSelector.Candidate(echo.EndPoint));
        using var recorder = new MetricsRecorder();
        using var metrics = new DefussMetrics(recorder.MeterFactory);
        var listener = new FrontDoorListener(Options() with { MaxConnections = 2 }, selector, _logs, TimeProvider.System, delivery: null, handoff: null, metrics);
        await using var _ = listener;
        var frontDoor = await listener.StartAsync().WaitAsync(TestTimeouts.Default);
        var first = await OpenEchoedAsync(frontDoor);
        using var second = await OpenEchoedAsync(frontDoor);

        using (var turnedAway = await TestSockets.ConnectAsync(frontDoor))
        {
            await TestSockets.SendAsync(turnedAway, "GET / HTTP/1.1\r\nHost: front.example\r\n\r\n");
            (await TestSockets.ReadUntilClosedOrResetAsync(turnedAway)).Should().StartWith("HTTP/1.1 503 Service Unavailable");
        }

        listener.RejectedConnections.Should().Be(1);
        listener.ActiveConnections.Should().Be(2);
        echo.Accepted.Count.Should().Be(2, "the connection turned away never reached a backend");
        recorder.Measurements.Should().ContainSingle(m => m.Instrument == "defuss.connections.rejected")
            .Which.Tags.Should().Contain(new KeyValuePair<string, object?>("defuss.connection.reject.reason", "capacity"));
        _logs.Entries.Should().ContainSingle(e => e.EventId.Id == 3021 && e.Level == LogLevel.Warning);

        first.Dispose();
        await Eventually.TrueAsync(() => listener.ActiveConnections == 1, "the first connection has ended");
        using var third = await OpenEchoedAsync(frontDoor);
        listener.RejectedConnections.Should().Be(1);
    }
}
