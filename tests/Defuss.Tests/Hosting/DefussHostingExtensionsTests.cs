using Defuss.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Defuss.Tests.Hosting;

public sealed class DefussHostingExtensionsTests
{
    private static DefussOptions OptionsOf(WebApplicationBuilder builder)
    {
        using var app = builder.Build();
        return app.Services.GetRequiredService<IOptions<DefussOptions>>().Value;
    }

    [Fact]
    public void AddDefuss_WithNoSettings_UsesTheDocumentedDefaults()
    {
        var builder = WebApplication.CreateBuilder([]);
        builder.AddDefuss();

        var options = OptionsOf(builder);

        options.Host.Should().Be("0.0.0.0");
        options.Port.Should().Be(3000);
        options.Workers.Should().Be("auto");
        options.ResolveWorkerCount().Should().Be(Environment.ProcessorCount);
        options.RequestInspectionTimeout.Should().Be(TimeSpan.FromMilliseconds(10));
        options.MaxHeaderBytes.Should().Be(16 * 1024);
        options.AllowHalfOpen.Should().BeTrue();
        options.GracefulShutdownTimeout.Should().Be(TimeSpan.FromSeconds(10));
        options.RespawnWorkers.Should().BeTrue();
        options.InstallSignalHandlers.Should().BeTrue();
        options.LoadBalancer.Should().Be("RoundRobin");
        options.ConnectAttempts.Should().Be(3);
        options.MaxConnections.Should().BeNull("derived from the descriptor limit at start");
        options.ProxyIdleTimeout.Should().Be(TimeSpan.FromMinutes(10));
        options.HalfCloseTimeout.Should().Be(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void AddDefuss_BindsTheCommandLine()
    {
        var builder = WebApplication.CreateBuilder(["--Defuss:Port=8080", "--Defuss:Workers=2", "--Defuss:WorkerEnv:FEATURE=on", "--Defuss:RequestInspectionTimeout=00:00:00.050"]);
        builder.AddDefuss();

        var options = OptionsOf(builder);

        options.Port.Should().Be(8080);
        options.ResolveWorkerCount().Should().Be(2);
        options.WorkerEnv.Should().Contain("FEATURE", "on");
        options.RequestInspectionTimeout.Should().Be(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void AddDefuss_BindsTheDefussSectionOfAnyConfigurationSource()
    {
        var builder = WebApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Defuss:Workers"] = "3", ["Defuss:Host"] = "127.0.0.1" });
        builder.AddDefuss();

        var options = OptionsOf(builder);

        options.Workers.Should().Be("3");
        options.Host.Should().Be("127.0.0.1");
    }

    [Fact]
    public void AddDefuss_BindsConnectAttemptsFromAnyConfigurationSource()
    {
        var fromCommandLine = WebApplication.CreateBuilder(["--Defuss:ConnectAttempts=5"]);
        fromCommandLine.AddDefuss();
        var fromMemory = WebApplication.CreateBuilder([]);
        fromMemory.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Defuss:ConnectAttempts"] = "1" });
        fromMemory.AddDefuss();

        OptionsOf(fromCommandLine).ConnectAttempts.Should().Be(5);
        OptionsOf(fromMemory).ConnectAttempts.Should().Be(1);
    }

    [Fact]
    public void AddDefuss_TheDelegateAppliesAfterConfiguration()
    {
        var builder = WebApplication.CreateBuilder(["--Defuss:Port=8080"]);
        builder.AddDefuss(options => options.Port = 9090);

        OptionsOf(builder).Port.Should().Be(9090);
    }
}
