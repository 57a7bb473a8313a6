using System.Text;
using System.Text.RegularExpressions;
using Defuss.Admin;
using Defuss.Hosting;
using Defuss.Tests.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Defuss.Tests.Admin;

/// <summary>
/// The status page in Debian's headless Chromium, polling a real Kestrel app that serves it fixture snapshots. Each
/// expectation waits (up to <see cref="TestTimeouts.Default"/>) for the page's next poll, one a second.
/// </summary>
public sealed partial class StatusPageTests
{
    private const string Injection = "<img src=x onerror=\"window.defussInjected=1\"><b>worker 1 exited (SIGKILL)</b>";

    [Fact]
    public async Task Html_ServedSnapshots_ShowsEachWorkerAndFollowsItsRestart()
    {
        await using var server = await StatusPageServer.StartAsync(FirstSnapshot());
        await using var browser = await HeadlessBrowser.LaunchAsync();
        var page = await browser.NewPageAsync();
        var requested = new List<string>();
        var pageErrors = new List<string>();
        page.Request += (_, request) => requested.Add(request.Url);
        page.PageError += (_, error) => pageErrors.Add(error);

        await page.GotoAsync(server.PageAddress.ToString());

        await Expect(page.Locator("#worker-rows tr")).ToHaveCountAsync(3);
        await ExpectRowAsync(page, 0, "Ready", 4250);
        await ExpectRowAsync(page, 1, "Ready", 4251);
        await ExpectRowAsync(page, 2, "Starting", 4252);
        await Expect(page.Locator("#primary-pid")).ToHaveTextAsync("4242");
        await Expect(page.Locator("#ready-workers")).ToHaveTextAsync("2 / 3 ready");
        await Expect(page.Locator("#endpoints")).ToHaveTextAsync("http://0.0.0.0:3000");
        await Expect(page.Locator("#uptime")).ToHaveTextAsync("1m 40s");
        await Expect(page.Locator("#delivery")).ToHaveTextAsync("handoff");
        await Expect(page.Locator("#load-balancer")).ToHaveTextAsync("RoundRobin");
        await Expect(Row(page, 0).Locator("svg.spark")).ToHaveCountAsync(2);
        await Expect(Row(page, 0).Locator("svg.spark.cpu polyline")).ToHaveAttributeAsync("points", SparkPoints());
        await Expect(Row(page, 0).Locator("svg.spark.memory polyline")).ToHaveAttributeAsync("points", SparkPoints());

        server.Serve(SecondSnapshot());

        await ExpectRowAsync(page, 1, "Exited", 4251);
        await Expect(Row(page, 1).Locator("td.last-exit")).ToHaveTextAsync("SIGKILL");
        await Expect(Row(page, 0).Locator("td.rate")).ToHaveTextAsync("50.0");
        var newest = page.Locator("#events li").First;
        await Expect(newest).ToHaveAttributeAsync("data-kind", "respawn_scheduled");
        await Expect(page.Locator("#events li[data-kind='exited'] .message").First).ToHaveTextAsync(Injection);
        await Expect(page.Locator("#events img, #events b")).ToHaveCountAsync(0);
        (await page.EvaluateAsync<bool>("() => window.defussInjected === undefined")).Should().BeTrue("a message is text, never markup");

        server.Serve(ThirdSnapshot());

        await ExpectRowAsync(page, 1, "Ready", 4301);
        await Expect(Row(page, 1).Locator("td.incarnation")).ToHaveTextAsync("2");
        await Expect(Row(page, 1).Locator("td.restarts")).ToHaveTextAsync("1");
        await Expect(Row(page, 1).Locator("td.rate")).ToHaveTextAsync("–");
        await Expect(Row(page, 1).Locator("svg.spark.cpu polyline")).ToHaveAttributeAsync("points", SparkPoints());
        await Expect(page.Locator("#events li")).ToHaveCountAsync(20);
        await Expect(newest.Locator(".message")).ToHaveTextAsync("worker 1 ready (pid 4301)");
        await Expect(newest.Locator(".worker")).ToHaveTextAsync("worker 1");
        await Expect(page.Locator("#event-count")).ToHaveTextAsync("latest 20 of 22");
        await Expect(page.Locator("#connection-lost")).ToBeHiddenAsync();

        var screenshot = await HeadlessBrowser.SaveScreenshotAsync(page, "status-page.png");
        new FileInfo(screenshot).Length.Should().BeGreaterThan(0);
        pageErrors.Should().BeEmpty();
        requested.Should().NotBeEmpty().And.OnlyContain(url => url.StartsWith(server.Origin + "/", StringComparison.Ordinal),
            "the page fetches nothing from anywhere but its own server");
    }

    [Fact]
    public async Task Html_StatusAnswers500_ShowsConnectionLostUntilItAnswersAgain()
    {
        await using var server = await StatusPageServer.StartAsync(FirstSnapshot());
        await using var browser = await HeadlessBrowser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(server.PageAddress.ToString());
        var banner = page.Locator("#connection-lost");
        await ExpectRowAsync(page, 0, "Ready", 4250);
        await Expect(banner).ToBeHiddenAsync();

        server.Fail(500);

        await Expect(banner).ToBeVisibleAsync();
        await Expect(banner).ToContainTextAsync("HTTP 500");
        await Expect(page.Locator("#content")).ToHaveClassAsync("stale");

        server.Serve(SecondSnapshot());

        await Expect(banner).ToBeHiddenAsync();
        await ExpectRowAsync(page, 1, "Exited", 4251);
        await Expect(page.Locator("#content")).Not.ToHaveClassAsync("stale");
    }

    [Fact]
    public void Html_Loaded_IsUtf8PageThatNamesNoOtherOrigin()
    {
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(StatusPage.Html.Span);

        text.Should().StartWith("<!doctype html>");
        AbsoluteUrl().Matches(text).Select(m => m.Value).Should().OnlyContain(url => url == "http://www.w3.org/2000/svg",
            "the page is self-contained: no CDN, no web font, only the SVG namespace");
        text.Should().Contain("const STATUS_URL = \"status\";");
    }

    private static ILocator Row(IPage page, int index) => page.Locator($"#worker-rows tr[data-worker-index='{index}']");

    private static async Task ExpectRowAsync(IPage page, int index, string state, int pid)
    {
        var row = Row(page, index);
        await Expect(row).ToHaveAttributeAsync("data-state", state);
        await Expect(row).ToHaveAttributeAsync("data-pid", pid.ToString());
        await Expect(row.Locator("td.pid")).ToHaveTextAsync(pid.ToString());
        await Expect(row.Locator("td.state .badge")).ToHaveTextAsync(state);
    }

    /// <summary>At least one drawn point: "x,y".</summary>
    [GeneratedRegex(@"\d+(\.\d+)?,\d+(\.\d+)?")]
    private static partial Regex SparkPoints();

    [GeneratedRegex(@"https?://[^\s""'<>)]+")]
    private static partial Regex AbsoluteUrl();
}
