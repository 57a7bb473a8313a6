using System.Net.Sockets;
using System.Text;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>
/// What each process holds open, read from <c>/proc/PID/fd</c>: many connections leave no descriptor behind, and a worker
/// started later holds none of the sockets that the primary or another worker has open.
/// </summary>
public abstract class DescriptorHygieneTests(string delivery)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff() : DescriptorHygieneTests(Delivery.Handoff);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy() : DescriptorHygieneTests(Delivery.Proxy);

    private const int Connections = 10_000;
    private const int Parallel = 8;

    [Fact]
    public async Task TenThousandConnections_LeaveEveryProcessesSocketCountWhereItWas()
    {
        await using var defuss = await DefussProcess.StartAsync(Delivery.With(delivery, []));
        var (worker0, worker1) = await defuss.ReadyPidsAsync();
        int[] pids = [defuss.Pid, worker0, worker1];
        await RequestsAsync(defuss.Port, 200); // the first connections open what stays open: handoff channels, pools
        var before = await ProcessSockets.SettledCountsAsync(pids);

        await RequestsAsync(defuss.Port, Connections);

        var after = await ProcessSockets.SettledCountsAsync(pids, expected: before);
        after.Should().Equal(before, $"the primary ({defuss.Pid}) and the workers ({worker0}, {worker1}) close every socket of {Connections} connections");
        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
    }

    [Fact]
    public async Task AWorkerStartedLater_HoldsNoSocketOfThePrimaryOrOfTheOtherWorker()
    {
        await using var defuss = await DefussProcess.StartAsync(Delivery.With(delivery, []));
        var (worker0, worker1) = await defuss.ReadyPidsAsync();
        await RequestsAsync(defuss.Port, 20);
        using var idle = await HttpTestClient.ConnectAsync(defuss.Port); // an open client connection while the worker forks

        Native.Kill(worker0, Native.SIGKILL);
        var replacement = int.Parse((await defuss.WaitForLineCountAsync(@"Worker 0 ready: pid (\d+)", 2)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        var inherited = ProcessSockets.Of(replacement).Intersect(ProcessSockets.Of(defuss.Pid).Concat(ProcessSockets.Of(worker1))).ToArray();
        inherited.Should().BeEmpty("every descriptor is close-on-exec, so a new worker starts with sockets of its own only");
        ProcessSockets.Of(defuss.Pid).Should().NotBeEmpty("the primary does hold sockets the new worker could have inherited");
        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
    }

    private static async Task RequestsAsync(int port, int count)
    {
        var request = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async _ =>
        {
            var buffer = new byte[1024];
            while (Interlocked.Increment(ref next) <= count)
            {
                using var socket = await HttpTestClient.ConnectAsync(port);
                await socket.SendAsync(request, SocketFlags.None).WaitAsync(HttpTestClient.Timeout);
                var response = new StringBuilder();
                int read;
                while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(HttpTestClient.Timeout)) > 0)
                {
                    response.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                response.ToString().Should().StartWith("HTTP/1.1 200 OK").And.Contain("hello");
            }
        }));
    }
}
