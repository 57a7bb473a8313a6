using System.Net.Sockets;
using Akka.TestKit;
using Defuss.Actors.Workers;
using Defuss.Control;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Control;

public sealed partial class ControlHubTests : ActorTest, IAsyncLifetime
{
    private readonly ShortTempDirectory _directory = new();
    private readonly ListLoggerProvider _logs = new();
    private readonly TestProbe _supervisor;
    private readonly ControlHub _hub;

    public ControlHubTests()
    {
        _supervisor = CreateTestProbe("supervisor");
        _hub = new ControlHub(_supervisor.Ref, _directory.PathOf("control.sock"), _logs.CreateLogger("Defuss"));
    }

    public Task InitializeAsync()
    {
        _hub.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _directory.Dispose();
    }

    private async Task<NetworkStream> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_hub.SocketPath)).WaitAsync(TestTimeouts.Default);
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Whether the hub closed the connection: an end of stream, or a reset when bytes were left unread.</summary>
    private static async Task<bool> ClosedByPeerAsync(NetworkStream stream)
    {
        try
        {
            return await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TestTimeouts.Default) == 0;
        }
        catch (IOException exception) when (exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return true;
        }
    }

    [Fact]
    public async Task Hello_TheSupervisorRejects_IsClosedAndLogged()
    {
        await using var stream = await ConnectAsync();
        await ControlFraming.WriteAsync(stream, new Hello(0, 1, 4242, "wrong"));

        var hello = await _supervisor.ExpectMsgAsync<WorkerHello>();
        hello.Hello.Pid.Should().Be(4242);
        _supervisor.Reply(new HelloRejected("the secret does not match"));

        (await ClosedByPeerAsync(stream)).Should().BeTrue();
        _logs.Entries.Should().Contain(e => e.EventId.Id == HostEventIds.ControlRejected && e.Message.Contains("the secret does not match") && e.Message.Contains("4242"));
    }

    [Fact]
    public async Task FirstFrameThatIsNotHello_IsClosedWithoutAskingTheSupervisor()
    {
        await using var stream = await ConnectAsync();
        await ControlFraming.WriteAsync(stream, new Ready("unix:/tmp/x.sock"));

        (await ClosedByPeerAsync(stream)).Should().BeTrue();
        await _supervisor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task GarbageBytes_AreClosedAndLogged()
    {
        await using var stream = await ConnectAsync();
        await stream.WriteAsync(new byte[] { 0x7f, 0xff, 0xff, 0xff, 1, 2, 3 });

        (await ClosedByPeerAsync(stream)).Should().BeTrue();
        _logs.Entries.Should().Contain(e => e.EventId.Id == HostEventIds.ControlRejected);
    }

    [Fact]
    public async Task AcceptedSession_RelaysFramesToTheWorkerAndReportsTheClose()
    {
        var worker = CreateTestProbe("worker");
        await using (var stream = await ConnectAsync())
        {
            await ControlFraming.WriteAsync(stream, new Hello(1, 7, 4242, "secret"));
            await _supervisor.ExpectMsgAsync<WorkerHello>();
            _supervisor.Reply(new HelloAccepted(worker.Ref));

            await ControlFraming.WriteAsync(stream, new Ready("unix:/tmp/w1-7.sock"));
            var report = await worker.ExpectMsgAsync<WorkerReport>();
            report.Incarnation.Should().Be(7);
            report.Message.Should().Be(new Ready("unix:/tmp/w1-7.sock"));
        }

        (await worker.ExpectMsgAsync<ControlChannelClosed>()).Incarnation.Should().Be(7);
    }

    [Fact]
    public async Task SendStop_WritesAStopFrameToTheWorker()
    {
        var worker = CreateTestProbe("worker");
        await using var stream = await ConnectAsync();
        await ControlFraming.WriteAsync(stream, new Hello(0, 1, 4242, "secret"));
        var hello = await _supervisor.ExpectMsgAsync<WorkerHello>();
        _supervisor.Reply(new HelloAccepted(worker.Ref));

        hello.Session.SendStop(TimeSpan.FromSeconds(3));

        (await ControlFraming.ReadAsync(stream).AsTask().WaitAsync(TestTimeouts.Default)).Should().Be(new Stop(3000));
    }
}
