using System.Reflection;
using Microsoft.Playwright;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright (whose package carries its own driver; its browser download is
/// never used). A machine without the browser fails the test that asks for one, with the command that installs it:
/// a browser test never skips. Disposing it closes the browser, and ends the driver, which ends any Chromium left.
/// </summary>
internal sealed class HeadlessBrowser : IAsyncDisposable
{
    /// <summary>Where Debian's <c>chromium</c> package puts the browser.</summary>
    public const string DefaultExecutable = "/usr/bin/chromium";

    /// <summary>Names another Chromium to use instead of <see cref="DefaultExecutable"/>.</summary>
    public const string ExecutableVariable = "DEFUSS_CHROMIUM";

    /// <summary>The size of every page: the smallest screen the status page is made for.</summary>
    public static readonly ViewportSize Viewport = new() { Width = 1280, Height = 800 };

    /// <summary>Starting the driver and the browser on a loaded two-core machine takes seconds, not minutes.</summary>
    private static readonly TimeSpan LaunchTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    // Playwright's own defaults (30 s for an action, 5 s for an expectation) become the suite's limit for one await,
    // so that every Playwright call and expectation in a test has TestTimeouts.Default as its timeout.
    private static readonly float DefaultTimeoutMs = (float)TestTimeouts.Default.TotalMilliseconds;

    // Playwright already passes --no-sandbox (which Chromium needs as root), --disable-background-networking and
    // --disable-component-update; these add no GPU on a headless machine, and no QUIC probes of the closed network.
    private static readonly string[] Arguments = ["--disable-gpu", "--disable-quic"];

    private readonly IPlaywright _playwright;

    private HeadlessBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>
    /// Starts Chromium from <paramref name="executablePath"/>, else <c>$DEFUSS_CHROMIUM</c>, else
    /// <see cref="DefaultExecutable"/>; throws with how to install it when it is not there.
    /// </summary>
    public static async Task<HeadlessBrowser> LaunchAsync(string? executablePath = null)
    {
        var executable = FindExecutable(executablePath);
        Assertions.SetDefaultExpectTimeout(DefaultTimeoutMs);
        var playwright = await Playwright.CreateAsync().WaitAsync(LaunchTimeout);
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = Arguments,
                Timeout = (float)LaunchTimeout.TotalMilliseconds,
            }).WaitAsync(LaunchTimeout + CloseTimeout);
            return new HeadlessBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>The Chromium to start; throws, saying how to install it, when there is none.</summary>
    public static string FindExecutable(string? executablePath = null)
    {
        var fromVariable = Environment.GetEnvironmentVariable(ExecutableVariable);
        var path = executablePath ?? (string.IsNullOrEmpty(fromVariable) ? DefaultExecutable : fromVariable);
        if (File.Exists(path))
        {
            return path;
        }

        var source = executablePath is not null ? "given by the test"
            : string.IsNullOrEmpty(fromVariable) ? "the default" : $"named by {ExecutableVariable}";
        throw new InvalidOperationException(
            $"This test needs a headless Chromium, and there is none at {path} ({source}). " +
            "Install Debian's: `apt-get install -y chromium` (as root), or run `dotnet tool restore && dotnet cake`, " +
            $"whose BrowserDeps task installs it; or set {ExecutableVariable} to another Chromium's path.");
    }

    /// <summary>A new page, in a context of its own, of <see cref="Viewport"/> size.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = Viewport }).WaitAsync(TestTimeouts.Default);
        page.SetDefaultTimeout(DefaultTimeoutMs);
        page.SetDefaultNavigationTimeout(DefaultTimeoutMs);
        return page;
    }

    /// <summary>Saves what <paramref name="page"/> shows as <c>artifacts/screenshots/</c><paramref name="fileName"/> under the repository root, and returns its path.</summary>
    public static async Task<string> SaveScreenshotAsync(IPage page, string fileName)
    {
        var directory = Path.Combine(RepositoryRoot, "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, Timeout = DefaultTimeoutMs });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Browser.CloseAsync().WaitAsync(CloseTimeout);
        }
        finally
        {
            // Ends the driver; a Chromium that did not close ends with it, as its DevTools pipe closes.
            _playwright.Dispose();
        }
    }

    private static string RepositoryRoot => Path.GetFullPath(
        typeof(HeadlessBrowser).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!);
}
