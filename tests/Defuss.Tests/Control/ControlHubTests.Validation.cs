using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Akka.TestKit;
using Defuss.Actors.Workers;
using Defuss.Control;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Control;

/// <summary>Reports are validated at the boundary: a malformed one never reaches the worker's actor.</summary>
public sealed partial class ControlHubTests
{
    private static byte[] Frame(string json) => ControlFraming.Frame(Encoding.UTF8.GetBytes(json));

    /// <summary>Connects as worker 0, incarnation 3, pid 4242, and has the supervisor accept it for <paramref name="worker"/>.</summary>
    private async Task<NetworkStream> ConnectAcceptedAsync(TestProbe worker)
    {
        var stream = await ConnectAsync();
        await ControlFraming.WriteAsync(stream, new Hello(0, 3, 4242, "secret"));
        await _supervisor.ExpectMsgAsync<WorkerHello>();
        _supervisor.Reply(new HelloAccepted(worker.Ref));
        return stream;
    }

    [Fact]
    public async Task HeartbeatWithoutStats_IsRefusedWithAWarningAndTheNextReportStillArrives()
    {
        var worker = CreateTestProbe("worker");
        await using var stream = await ConnectAcceptedAsync(worker);

        await stream.WriteAsync(Frame("""{"type":"heartbeat"}"""));
        await ControlFraming.WriteAsync(stream, new Ready("unix:/tmp/w0-3.sock"));

        (await worker.ExpectMsgAsync<WorkerReport>()).Message.Should().Be(new Ready("unix:/tmp/w0-3.sock"), "the malformed heartbeat never reaches the actor");
        var warning = _logs.Entries.Should().ContainSingle(e => e.EventId.Id == HostEventIds.ControlReportRefused).Subject;
        warning.Message.Should().Be("Refused a malformed control report from worker 0 (incarnation 3, pid 4242): A control frame is a heartbeat without stats.");
    }

    [Fact]
    public async Task MalformedReports_UpToTheLimit_ReplaceTheIncarnationAndCloseItsChannel()
    {
        var worker = CreateTestProbe("worker");
        await using var stream = await ConnectAcceptedAsync(worker);

        await stream.WriteAsync(Frame("""{"type":"heartbeat"}"""));
        await stream.WriteAsync(Frame("""{"type":"nonsense"}"""));
        await ControlFraming.WriteAsync(stream, new Hello(0, 3, 4242, "secret"));

        var broke = await worker.ExpectMsgAsync<WorkerBrokeProtocol>();
        broke.Incarnation.Should().Be(3);
        broke.Reason.Should().StartWith($"{ControlHub.MaxMalformedReports} malformed reports, the last: A control frame is a hello");
        (await worker.ExpectMsgAsync<ControlChannelClosed>()).Incarnation.Should().Be(3);
        (await ClosedByPeerAsync(stream)).Should().BeTrue();
        _logs.Entries.Count(e => e.EventId.Id == HostEventIds.ControlReportRefused).Should().Be(ControlHub.MaxMalformedReports);
        _logs.Entries.Should().ContainSingle(e => e.EventId.Id == HostEventIds.ControlWorkerBrokeProtocol)
            .Which.Message.Should().StartWith("Worker 0 (incarnation 3, pid 4242) broke the control protocol (3 malformed reports");
    }

    [Fact]
    public async Task BrokenFramingAfterTheHello_ReplacesTheIncarnationAtOnce()
    {
        var worker = CreateTestProbe("worker");
        await using var stream = await ConnectAcceptedAsync(worker);

        await stream.WriteAsync(new byte[] { 0x7f, 0xff, 0xff, 0xff });

        (await worker.ExpectMsgAsync<WorkerBrokeProtocol>()).Reason.Should().Contain("outside 1..65536");
        await worker.ExpectMsgAsync<ControlChannelClosed>();
        (await ClosedByPeerAsync(stream)).Should().BeTrue();
    }

    [Fact]
    public async Task OversizedFrameBeforeTheHello_IsClosedWithoutAskingTheSupervisor()
    {
        await using var stream = await ConnectAsync();
        var header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, ControlFraming.MaxFrameBytes + 1);
        await stream.WriteAsync(header);

        (await ClosedByPeerAsync(stream)).Should().BeTrue();
        await _supervisor.ExpectNoMsgAsync(TestTimeouts.NoMessage);
        _logs.Entries.Should().Contain(e => e.EventId.Id == HostEventIds.ControlRejected && e.Message.Contains("65537"));
    }

    [Fact]
    public async Task ConnectionsWaitingForTheirHello_BeyondTheLimit_AreClosedAtOnceWithOneLine()
    {
        var waiting = new List<NetworkStream>();
        try
        {
            for (var i = 0; i < ControlHub.MaxPendingHellos; i++)
            {
                waiting.Add(await ConnectAsync());
            }

            var extra = new List<NetworkStream>();
            for (var i = 0; i < 5; i++)
            {
                extra.Add(await ConnectAsync());
            }

            foreach (var stream in extra)
            {
                (await ClosedByPeerAsync(stream)).Should().BeTrue("only so many connections may wait to say hello");
                await stream.DisposeAsync();
            }

            _logs.Entries.Count(e => e.EventId.Id == HostEventIds.ControlRejected).Should().Be(1, "refusals are logged at most once every 5 s");

            // Once the waiting ones are gone, a worker is heard again.
            foreach (var stream in waiting)
            {
                await stream.DisposeAsync();
            }

            waiting.Clear();
            await Eventually.TrueAsync(() => _hub.PendingHellos == 0, "the hub has seen the waiting connections close");
            await using var accepted = await ConnectAsync();
            await ControlFraming.WriteAsync(accepted, new Hello(0, 3, 4242, "secret"));
            (await _supervisor.ExpectMsgAsync<WorkerHello>()).Hello.Incarnation.Should().Be(3);
        }
        finally
        {
            foreach (var stream in waiting)
            {
                await stream.DisposeAsync();
            }
        }
    }
}
