using System.Net;
using System.Net.Sockets;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;
using Defuss.Worker.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Defuss.Tests.Worker.Runtime;

public sealed class DefussWorkerHostingTests
{
    [Fact]
    public async Task ConfigureWorker_UrlsAndKestrelEndpointsConfigured_ListensOnlyOnThePrivateEndpoint()
    {
        await using var worker = await WorkerHarness.StartAsync(beforeWorker: builder =>
        {
            // What ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS, --urls and appsettings.json's Kestrel section turn into.
            builder.Configuration["urls"] = "http://127.0.0.1:0";
            builder.Configuration["http_ports"] = "0";
            builder.Configuration["preferHostingUrls"] = "true";
            builder.Configuration["Kestrel:Endpoints:Public:Url"] = "http://127.0.0.1:0";
        });
        await worker.Primary.ReadUntilAsync<Ready>();

        var server = worker.App.Services.GetRequiredService<IServer>();
        var bound = server.Should().BeOfType<WorkerServer>().Subject.Kestrel.Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;

        bound.Should().ContainSingle().Which.Should().Contain(worker.PrivateSocketPath, "Kestrel binds the private endpoint alone");
        server.Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Should().BeEmpty("the host lists no URL for a worker, so it logs none");
        using var client = worker.CreateClient();
        (await client.GetStringAsync(new Uri("/", UriKind.Relative)).WaitAsync(TestTimeouts.Default)).Should().Be("hello");
    }

    [Fact]
    public async Task ConfigureWorker_StaleSocketFile_IsReplaced()
    {
        using var temp = new ShortTempDirectory();
        var socketPath = temp.PathOf("stale.sock");
        await File.WriteAllTextAsync(socketPath, "left by a killed incarnation").WaitAsync(TestTimeouts.Default);

        await using var worker = await WorkerHarness.StartAsync(adjustSettings: s => s with { Endpoint = "unix:" + socketPath });
        await worker.Primary.ReadUntilAsync<Ready>();

        using var client = PrivateEndpointHttp.CreateClient(socketPath, worker.Settings.Secret);
        (await client.GetStringAsync(new Uri("/", UriKind.Relative)).WaitAsync(TestTimeouts.Default)).Should().Be("hello");
    }

    [Fact]
    public async Task ConfigureWorker_TcpEndpoint_ServesOnIt()
    {
        var port = FreeTcpPort();
        await using var worker = await WorkerHarness.StartAsync(adjustSettings: s => s with { Endpoint = $"tcp:127.0.0.1:{port}" });

        var ready = await worker.Primary.ReadUntilAsync<Ready>();

        ready.Endpoint.Should().Be($"tcp:127.0.0.1:{port}");
        using var client = PrivateEndpointHttp.CreateClient(new IPEndPoint(IPAddress.Loopback, port), worker.Settings.Secret);
        (await client.GetStringAsync(new Uri("/", UriKind.Relative)).WaitAsync(TestTimeouts.Default)).Should().Be("hello");
    }

    [Fact]
    public async Task ConfigureWorker_RequestInFlight_IsCountedWithItsConnection()
    {
        var gate = new RequestGate();
        await using var worker = await WorkerHarness.StartAsync(map: gate.Map);
        await worker.Primary.ReadUntilAsync<Ready>();
        var activity = worker.App.Services.GetRequiredService<WorkerActivity>();
        using var client = worker.CreateClient();

        var response = client.GetStringAsync(new Uri("/slow", UriKind.Relative));
        await gate.Entered.Task.WaitAsync(TestTimeouts.Default);

        activity.RequestsInFlight.Should().Be(1);
        activity.ActiveConnections.Should().Be(1);
        gate.Release.SetResult();
        (await response.WaitAsync(TestTimeouts.Default)).Should().Be("slow");
    }

    [Fact]
    public async Task ConfigureWorker_NoTimeProviderRegistered_RegistersTheSystemClock()
    {
        var builder = WebApplication.CreateBuilder(Array.Empty<string>());
        DefussWorkerHosting.ConfigureWorker(builder, Settings());

        await using var app = builder.Build();

        app.Services.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);
    }

    [Fact]
    public async Task ConfigureWorker_TimeProviderRegistered_KeepsIt()
    {
        var clock = new ManualTimeProvider();
        var builder = WebApplication.CreateBuilder(Array.Empty<string>());
        builder.Services.AddSingleton<TimeProvider>(clock);
        DefussWorkerHosting.ConfigureWorker(builder, Settings());

        await using var app = builder.Build();

        app.Services.GetRequiredService<TimeProvider>().Should().BeSameAs(clock);
    }

    [Fact]
    public void ConfigureWorker_BadEndpoint_ThrowsFormatException()
    {
        var builder = WebApplication.CreateBuilder(Array.Empty<string>());

        var configure = () => DefussWorkerHosting.ConfigureWorker(builder, Settings() with { Endpoint = "http://127.0.0.1:80" });

        configure.Should().Throw<FormatException>().WithMessage("*http://127.0.0.1:80*");
    }

    [Fact]
    public void ConfigureWorker_ZeroHeartbeatInterval_Throws()
    {
        var builder = WebApplication.CreateBuilder(Array.Empty<string>());

        var configure = () => DefussWorkerHosting.ConfigureWorker(builder, Settings() with { HeartbeatInterval = TimeSpan.Zero });

        configure.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static WorkerSettings Settings() =>
        new(0, 1, "secret", "/nonexistent/control.sock", "tcp:127.0.0.1:5999", TimeSpan.FromSeconds(1));

    private static int FreeTcpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
