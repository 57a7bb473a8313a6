using System.Net;
using Defuss.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Defuss.Tests.Hosting;

/// <summary>Where the front door listens: Defuss's own settings first, then ASP.NET Core's URL conventions, then 3000.</summary>
public sealed class PublicEndpointsTests
{
    [Fact]
    public void Resolve_NothingSet_Is0000Port3000()
    {
        var endpoints = Resolve(new());

        endpoints.Endpoints.Should().Equal(new IPEndPoint(IPAddress.Any, 3000));
        endpoints.Source.Should().Be(PublicEndpoints.DefussSource);
    }

    [Fact]
    public void Resolve_Urls_ListensOnEachHttpUrl()
    {
        var endpoints = Resolve(new() { ["urls"] = "http://127.0.0.1:5210; http://*:8080;http://[::1]:5211" });

        endpoints.Endpoints.Should().Equal(
            new IPEndPoint(IPAddress.Loopback, 5210), new IPEndPoint(IPAddress.Any, 8080), new IPEndPoint(IPAddress.IPv6Loopback, 5211));
        endpoints.Setting.Should().Be("urls = 'http://127.0.0.1:5210; http://*:8080;http://[::1]:5211'");
    }

    [Fact]
    public void Resolve_Localhost_IsTheLoopbackOfEachFamily()
    {
        Resolve(new() { ["urls"] = "http://localhost:5210" }).Endpoints.Should().Contain(new IPEndPoint(IPAddress.Loopback, 5210))
            .And.HaveCount(System.Net.Sockets.Socket.OSSupportsIPv6 ? 2 : 1);
    }

    [Fact]
    public void Resolve_HttpsUrls_AreLeftToTheWorkersAndNamed()
    {
        var endpoints = Resolve(new() { ["urls"] = "https://localhost:7001;http://localhost:5001" });

        endpoints.Ignored.Should().Equal("https://localhost:7001");
        endpoints.Endpoints.Should().OnlyContain(e => e.Port == 5001);
    }

    [Theory]
    [InlineData("https://localhost:7001", "has no http URL")]
    [InlineData("http://localhost:notaport", "'http://localhost:notaport' is not an http URL with a port")]
    [InlineData("ftp://localhost:21", "'ftp://localhost:21' is not an http URL with a port")]
    public void Resolve_UrlsWithNothingToListenOn_IsAnErrorNamingTheSetting(string urls, string why)
    {
        Resolve(new() { ["urls"] = urls }).Error.Should().StartWith($"urls = '{urls}'").And.Contain(why);
    }

    [Fact]
    public void Resolve_HttpPorts_ListensOnEachPortOnEveryInterface()
    {
        Resolve(new() { ["http_ports"] = "8080;8081" }).Endpoints.Should().Equal(new IPEndPoint(IPAddress.Any, 8080), new IPEndPoint(IPAddress.Any, 8081));
        Resolve(new() { ["http_ports"] = "80x" }).Error.Should().Be("http_ports = '80x' is invalid: '80x' is not a port.");
    }

    [Fact]
    public void Resolve_OtherDefussSettingsSet_StillFollowsTheUrls()
    {
        Resolve(new() { ["Defuss:Workers"] = "2", ["Defuss:LoadBalancer"] = "LeastConnections", ["urls"] = "http://127.0.0.1:5210" })
            .Endpoints.Should().Equal(new IPEndPoint(IPAddress.Loopback, 5210));
    }

    [Fact]
    public void Resolve_UrlsBeforeHttpPorts()
    {
        Resolve(new() { ["urls"] = "http://127.0.0.1:5210", ["http_ports"] = "8080" }).Endpoints.Should().Equal(new IPEndPoint(IPAddress.Loopback, 5210));
    }

    [Theory]
    [InlineData("Defuss:Port", "8080", "0.0.0.0:8080")]
    [InlineData("Defuss:Host", "127.0.0.1", "127.0.0.1:3000")]
    public void Resolve_DefussPortOrHostSet_WinsOverTheUrls(string key, string value, string expected)
    {
        var endpoints = Resolve(new() { [key] = value, ["urls"] = "http://127.0.0.1:5210" });

        endpoints.Endpoints.Should().Equal(IPEndPoint.Parse(expected));
        endpoints.Source.Should().Be(PublicEndpoints.DefussSource);
    }

    [Fact]
    public void Resolve_PortSetInCode_WinsOverTheUrls()
    {
        var options = new DefussOptions { Port = 8081 };

        PublicEndpoints.Resolve(options, Configuration(new() { ["urls"] = "http://127.0.0.1:5210" })).Endpoints.Should().Equal(new IPEndPoint(IPAddress.Any, 8081));
    }

    private static PublicEndpoints Resolve(Dictionary<string, string?> settings)
    {
        var configuration = Configuration(settings);
        using var services = new ServiceCollection().Configure<DefussOptions>(configuration.GetSection(DefussOptions.SectionName)).BuildServiceProvider();
        return PublicEndpoints.Resolve(services.GetRequiredService<IOptions<DefussOptions>>().Value, configuration);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
