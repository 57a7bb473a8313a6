using System.Text.RegularExpressions;
using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace Defuss.Tests.Admin;

/// <summary>The status page of a real primary, in Debian's headless Chromium, while one of its workers is killed.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed class StatusPageLiveTests
{
    [Fact]
    public async Task StatusPage_AWorkerKilled_ItsRowChangesStateThenComesBackWithANewPid()
    {
        // A 2 s respawn delay keeps the killed worker down long enough for the page's one-second polls to see it.
        await using var primary = await DefussProcess.StartAsync(
            "--Defuss:AdminUrl=http://127.0.0.1:0", "--Defuss:RestartBackoffMin=00:00:02", "--Defuss:RestartBackoffMax=00:00:02");
        var (pid0, pid1) = await primary.ReadyPidsAsync();
        var adminUrl = (await primary.WaitForLineAsync(@"Admin endpoint on (http://127\.0\.0\.1:\d+)")).Groups[1].Value;
        await using var browser = await HeadlessBrowser.LaunchAsync();
        var page = await browser.NewPageAsync();

        await page.GotoAsync(adminUrl + "/");

        var row1 = page.Locator("tr[data-worker-index='1']");
        await Expect(page.Locator("tr[data-worker-index='0']")).ToHaveAttributeAsync("data-pid", pid0.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(row1).ToHaveAttributeAsync("data-pid", pid1.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(row1).ToHaveAttributeAsync("data-state", "Ready");

        Native.Kill(pid1, Native.SIGKILL);

        await Expect(row1).ToHaveAttributeAsync("data-state", new Regex("^(Exited|Restarting|Starting)$"));
        await Expect(row1).ToHaveAttributeAsync("data-state", "Ready", new() { Timeout = 30_000 });
        var newPid = await row1.GetAttributeAsync("data-pid");
        newPid.Should().NotBe(pid1.ToString(System.Globalization.CultureInfo.InvariantCulture));
        int.Parse(newPid!, System.Globalization.CultureInfo.InvariantCulture).Should().BePositive();
        await Expect(row1.Locator("td.restarts")).ToHaveTextAsync("1");
        await Expect(page.Locator("#events li[data-kind='exited']").First).ToContainTextAsync($"pid {pid1}");
        await Expect(page.Locator("#connection-lost")).ToBeHiddenAsync();
        await HeadlessBrowser.SaveScreenshotAsync(page, "status-page-live.png");
    }
}
