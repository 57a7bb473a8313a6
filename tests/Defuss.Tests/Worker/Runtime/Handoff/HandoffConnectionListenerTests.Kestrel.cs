using System.Net.Sockets;
using System.Text;
using Defuss.FrontDoor;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Defuss.Tests.Worker.Runtime.Handoff;

/// <summary>The listener under a real worker's Kestrel, fed by the primary's real end of the channel.</summary>
public sealed partial class HandoffConnectionListenerTests
{
    /// <summary>A worker app on a handoff endpoint whose Kestrel takes one connection at a time, set the way an app sets it: from configuration.</summary>
    private static Task<WorkerHarness> StartLimitedWorkerAsync() => WorkerHarness.StartAsync(
        beforeWorker: builder =>
        {
            builder.Configuration["Kestrel:Limits:MaxConcurrentConnections"] = "1";
            builder.Services.Configure<KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));
        },
        adjustSettings: settings => settings with { Endpoint = "handoff:" + settings.Endpoint["unix:".Length..] });

    /// <summary>A client connected over loopback; its accepted end goes to the worker, and the test's copy is closed.</summary>
    private static async Task<(Socket Client, Task<int> Outcome)> HandOffAsync(HandoffChannel channel, long id)
    {
        var (client, accepted) = await TestSockets.ConnectedRawPairAsync();
        using (accepted)
        {
            var fd = LinuxSockets.Fcntl((int)accepted.Handle, LinuxSockets.FDupFdCloexec, 0);
            var (result, outcome) = channel.Send(id, [], fd);
            TestDescriptors.Close(fd);
            result.Should().Be(ChannelSendResult.Sent);
            return (client, outcome!);
        }
    }

    [Fact]
    public async Task KestrelRefusesConnectionsOverItsLimit_EachOneStillReportsItsEnd()
    {
        await using var worker = await StartLimitedWorkerAsync();
        await worker.Primary.ReadUntilAsync<Ready>();
        worker.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KestrelServerOptions>>().Value.Limits.MaxConcurrentConnections
            .Should().Be(1, "Defuss keeps the Kestrel limits the app binds");
        using var loop = new FrontDoorLoop(NullLogger.Instance);
        var channel = HandoffChannel.Connect(worker.Settings.Endpoint["handoff:".Length..], Encoding.UTF8.GetBytes(worker.Settings.Secret), loop, NullLogger.Instance);
        try
        {
            var (held, heldOutcome) = await HandOffAsync(channel, 1);
            using (held)
            {
                await TestSockets.SendAsync(held, "GET / HTTP/1.1\r\nHost: worker\r\n\r\n");
                (await Integration.HttpTestClient.ReadUntilAsync(held, "hello")).Should().StartWith("HTTP/1.1 200 OK");

                // Kestrel refuses these before any connection middleware runs: only their disposal can report them.
                var refused = new List<(Socket Client, Task<int> Outcome)>();
                for (var id = 2; id <= 4; id++)
                {
                    refused.Add(await HandOffAsync(channel, id));
                }

                foreach (var (client, outcome) in refused)
                {
                    using (client)
                    {
                        (await outcome.WaitAsync(TestTimeouts.Default)).Should().Be(-1, "the primary hears that the refused connection ended");
                        (await TestSockets.ReadToEndAsStringAsync(client)).Should().BeEmpty("Kestrel closed it unserved");
                    }
                }

                heldOutcome.IsCompleted.Should().BeFalse("the served connection is still open");
            }

            (await heldOutcome.WaitAsync(TestTimeouts.Default)).Should().Be(-1);
            channel.OpenConnections.Should().Be(0, "every connection the channel carried has reported its end, once");
        }
        finally
        {
            channel.Close();
            await channel.Ended.WaitAsync(TestTimeouts.Default);
        }
    }
}
