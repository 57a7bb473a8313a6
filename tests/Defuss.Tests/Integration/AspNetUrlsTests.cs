using System.Text.RegularExpressions;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>
/// With Defuss:Host and Defuss:Port unset, the front door listens where an ASP.NET Core app would, and the workers stay
/// quiet about the URLs they do not serve. (<c>dotnet run</c> passes launchSettings.json's applicationUrl the same way, as
/// <c>ASPNETCORE_URLS</c>.)
/// </summary>
[Collection(ShowcaseCollection.Name)]
public sealed partial class AspNetUrlsTests
{
    [Fact]
    public async Task AspNetCoreUrls_TwoHttpUrls_ServeBothAndTheWorkersNeitherOverrideNorListAnyUrl()
    {
        var environment = new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0;https://127.0.0.1:0;http://[::1]:0" };
        await using var primary = await DefussProcess.StartAppAsync(DefussProcess.HelloPath, environment, DefussProcess.AspNetEndpoints);
        await primary.ReadyPidsAsync();

        var listening = await primary.WaitForLineAsync(@"listening on (http://\S+), (http://\S+)$");
        foreach (var url in new[] { listening.Groups[1].Value, listening.Groups[2].Value })
        {
            (await HttpTestClient.GetOnNewConnectionAsync(new Uri(url), "/")).Should().Be("hello", url);
        }

        listening.Groups[1].Value.Should().StartWith("http://127.0.0.1:");
        listening.Groups[2].Value.Should().StartWith("http://[::1]:");
        await primary.WaitForLineAsync("The front door listens where ASP.NET Core would: urls = 'http://127.0.0.1:0;https://127.0.0.1:0;http://\\[::1\\]:0'");
        await primary.WaitForLineAsync("does not listen on https://127.0.0.1:0 from urls");
        primary.Output.Should().NotContain("Overriding address").And.NotContain("http://handoff:").And.NotContain("Now listening on");
    }

    [Fact]
    public async Task DefussPort_WhenSet_WinsOverAspNetCoreUrls()
    {
        var environment = new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:1" };
        await using var primary = await DefussProcess.StartAppAsync(DefussProcess.HelloPath, environment);

        (await HttpTestClient.GetOnNewConnectionAsync(primary.BaseAddress, "/")).Should().Be("hello");
        primary.Output.Should().NotContain("where ASP.NET Core would");
    }
}
