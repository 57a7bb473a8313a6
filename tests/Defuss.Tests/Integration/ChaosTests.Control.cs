using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Integration;

/// <summary>A hostile control client: malformed reports from a real incarnation's seat, and garbage before any hello.</summary>
public abstract partial class ChaosTests
{
    [Fact]
    public async Task HostileControlClient_MalformedReportsAsAStartingIncarnation_AreRefusedAndTheIncarnationIsReplaced()
    {
        await using var defuss = await StartAsync();
        var (worker0, _) = await defuss.ReadyPidsAsync();
        var stopped = 0;
        try
        {
            // Take the seat of worker 0's next incarnation: stop it before its agent connects, and borrow its identity. On a
            // loaded machine the incarnation may connect before the stop lands, and the hostile hello is refused: then it
            // is killed, and the next incarnation's seat is taken.
            var victim = worker0;
            NetworkStream stream;
            for (var incarnation = 2; ; incarnation++)
            {
                Native.Kill(victim, Native.SIGKILL);
                var started = await defuss.WaitForLineAsync($@"Worker 0 started: pid (\d+), endpoint \S+ \(incarnation {incarnation}\)", TestTimeouts.Default);
                stopped = int.Parse(started.Groups[1].Value, CultureInfo.InvariantCulture);
                Native.Kill(stopped, Native.SIGSTOP);
                var environment = await EnvironmentOfAsync(stopped);
                environment[WorkerEnvironment.Incarnation].Should().Be(incarnation.ToString(CultureInfo.InvariantCulture));

                var hostile = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await hostile.ConnectAsync(new UnixDomainSocketEndPoint(environment[WorkerEnvironment.ControlEndpoint])).WaitAsync(TestTimeouts.Default);
                stream = new NetworkStream(hostile, ownsSocket: true);
                await ControlFraming.WriteAsync(stream, new Hello(0, incarnation, stopped, environment[WorkerEnvironment.Secret]));
                await stream.WriteAsync(Frame("""{"type":"heartbeat"}"""));
                await stream.WriteAsync(Frame("""{"type":"ready"}"""));
                await stream.WriteAsync(Frame("""{"type":"nonsense","stats":{"pid":-1}}"""));

                var answer = await defuss.WaitForLineAsync(
                    $@"Refused a malformed control report from worker 0 \(incarnation {incarnation}, pid {stopped}\): A control frame is a heartbeat without stats\.|claiming to be worker 0 \(pid {stopped}\) was refused: (?:incarnation {incarnation} is not the one starting|a control channel is already open)",
                    TestTimeouts.Default);
                if (answer.Value.Contains("Refused a malformed", StringComparison.Ordinal))
                {
                    break;
                }

                await stream.DisposeAsync();
                incarnation.Should().BeLessThan(5, "a stop that lands before the agent connects comes within a few tries");
                victim = stopped;
            }

            await using var _ = stream;
            await defuss.WaitForLineAsync($@"Refused a malformed control report from worker 0 \(incarnation \d+, pid {stopped}\): A control frame is a ready without its endpoint\.", TestTimeouts.Default);
            await defuss.WaitForLineAsync($@"Worker 0 \(incarnation \d+, pid {stopped}\) broke the control protocol \(3 malformed reports, the last: A control frame is not a valid control message", TestTimeouts.Default);
            (await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TestTimeouts.Default)).Should().Be(0, "the primary closed the hostile channel");
            await defuss.WaitForLineAsync($@"Worker 0 \(pid {stopped}\) exited with signal SIGKILL", TestTimeouts.Default);
            await defuss.WaitForLineAsync($@"Worker 0 ready: pid (?!{stopped}\b)\d+ serving", TimeSpan.FromSeconds(20));
            Native.IsAlive(defuss.Pid).Should().BeTrue();
        }
        finally
        {
            if (stopped > 0 && Native.IsAlive(stopped))
            {
                Native.Kill(stopped, Native.SIGKILL);
                Native.Kill(stopped, Native.SIGCONT);
            }
        }

        await ServesAgainAsync(defuss);
        await StopsCleanlyAsync(defuss);
    }

    [Fact]
    public async Task HostileControlClient_GarbageOversizedFramesAndSilentConnectionsBeforeAnyHello_AreClosedAndChangeNothing()
    {
        await using var defuss = await StartAsync();
        var (worker0, worker1) = await defuss.ReadyPidsAsync();
        var control = new UnixDomainSocketEndPoint(Path.Combine(defuss.PrivateDirectory!, "control.sock"));

        // Round robin: one connection to each worker, so that in handoff mode the primary's channel to each is open already.
        await ServesAgainAsync(defuss);
        await ServesAgainAsync(defuss);
        var before = await ProcessSockets.SettledCountsAsync([defuss.Pid]);

        using (var oversized = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await oversized.ConnectAsync(control).WaitAsync(TestTimeouts.Default);
            var header = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(header, int.MaxValue);
            await oversized.SendAsync(header);
            (await oversized.ReceiveAsync(new ArraySegment<byte>(new byte[1]), SocketFlags.None).WaitAsync(TestTimeouts.Default)).Should().Be(0);
        }

        using (var garbage = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await garbage.ConnectAsync(control).WaitAsync(TestTimeouts.Default);
            var bytes = new byte[8192];
            new Random(12).NextBytes(bytes);
            BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length - 4);
            await garbage.SendAsync(bytes);
            (await ReceiveEndAsync(garbage)).Should().BeTrue("the primary closed the connection");
        }

        // Silent connections that never say hello: beyond 64 waiting at once, the primary closes them at once.
        var silent = new List<Socket>();
        try
        {
            for (var i = 0; i < 100; i++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                silent.Add(socket);
                await socket.ConnectAsync(control).WaitAsync(TestTimeouts.Default);
            }

            var closedAtOnce = 0;
            foreach (var socket in silent.Skip(64))
            {
                closedAtOnce += await ReceiveEndAsync(socket) ? 1 : 0;
            }

            closedAtOnce.Should().Be(36, "at most 64 connections may wait for their hello");
            await ServesAgainAsync(defuss);
        }
        finally
        {
            silent.ForEach(socket => socket.Dispose());
        }

        await defuss.WaitForLineAsync(@"Closed a control connection: Control frame length 2147483647 is outside 1\.\.65536 bytes\.", TestTimeouts.Default);
        await ServesAgainAsync(defuss);
        defuss.WorkerPids.Should().BeEquivalentTo([worker0, worker1], "no worker was touched");
        (await ProcessSockets.SettledCountsAsync([defuss.Pid], expected: before)).Should().Equal(before, "the primary holds no socket of the hostile client's");
        await StopsCleanlyAsync(defuss);
    }

    private static byte[] Frame(string json) => ControlFraming.Frame(Encoding.UTF8.GetBytes(json));

    /// <summary>The environment process <paramref name="pid"/> (ours, so readable) was started with.</summary>
    private static async Task<Dictionary<string, string>> EnvironmentOfAsync(int pid)
    {
        var environ = await File.ReadAllTextAsync($"/proc/{pid}/environ");
        return environ.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0])
            .ToDictionary(group => group.Key, group => group.Last()[1]);
    }

    /// <summary>Whether the peer ended the connection: an end of stream, or a reset because bytes were left unread.</summary>
    private static async Task<bool> ReceiveEndAsync(Socket socket)
    {
        try
        {
            return await socket.ReceiveAsync(new ArraySegment<byte>(new byte[1]), SocketFlags.None).WaitAsync(TestTimeouts.Default) == 0;
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }
}
