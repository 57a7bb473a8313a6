using System.Net.Sockets;
using System.Text;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>A second signal does not wait for the drain.</summary>
public abstract class ForcedStopTests(string delivery)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff() : ForcedStopTests(Delivery.Handoff);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy() : ForcedStopTests(Delivery.Proxy);

    /// <summary>Starts the Showcase in this class's delivery mode, with <paramref name="settings"/>.</summary>
    private Task<DefussProcess> StartAsync(params string[] settings) => DefussProcess.StartAsync(Delivery.With(delivery, settings));

    [Fact]
    public async Task SecondSignal_DuringTheDrain_StopsEverythingAtOnce()
    {
        await using var defuss = await StartAsync("--Defuss:GracefulShutdownTimeout=00:00:30");
        await defuss.ReadyPidsAsync();
        using var socket = await HttpTestClient.ConnectAsync(defuss.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /pid HTTP/1.1\r\nHost: localhost\r\n\r\nGET /slow?ms=20000 HTTP/1.1\r\nHost: localhost\r\n\r\n"), SocketFlags.None);
        await HttpTestClient.ReadUntilAsync(socket, "\r\n\r\n");

        Native.Kill(defuss.Pid, Native.SIGTERM);
        await defuss.WaitForLineAsync("stopping: SIGTERM");
        // The deadline is the assertion: without the second signal the exit would wait for the 20 s request.
        var exitCode = await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(10));

        exitCode.Should().Be(0);
        defuss.Output.Should().Contain("Second signal: stopping at once");
        await defuss.WaitForNoWorkersAsync(TestTimeouts.Default);
    }
}
