extern alias cli;

using System.Net;
using System.Text.Json;
using cli::Defuss.Cli;
using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Admin;

/// <summary><c>POST /scale</c> of a real primary (the Showcase, 2 workers), and <c>defuss scale</c> against it.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed class ScaleEndpointTests
{
    private static readonly TimeSpan ResizeTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Scale_ThroughTheEndpointAndTheTool_GrowsAndShrinksThePoolAndRefusesBadSizes()
    {
        await using var primary = await DefussProcess.StartAsync();
        await primary.ReadyPidsAsync();
        using var admin = primary.AdminClient();

        (await ScaleAsync(admin, "3")).Should().Be((HttpStatusCode.OK, """{"workers":3}"""));
        ReadyIndexes(await admin.StatusAsync()).Should().Equal(0, 1, 2);

        (await ScaleAsync(admin, "1")).Should().Be((HttpStatusCode.OK, """{"workers":1}"""));
        ReadyIndexes(await admin.StatusAsync()).Should().Equal(0);
        await primary.WaitForLineAsync(@"Worker 2 \(pid \d+\) stopped");
        await primary.WaitForLineAsync(@"Worker 1 \(pid \d+\) stopped");

        var (status, body) = await ScaleAsync(admin, "0");
        status.Should().Be(HttpStatusCode.BadRequest);
        Error(body).Should().Be("0 workers is outside 1..1024 for a fixed pool");
        (status, body) = await ScaleAsync(admin, "abc");
        status.Should().Be(HttpStatusCode.BadRequest);
        Error(body).Should().Be("workers = 'abc' is invalid: expected a whole number");
        (status, body) = await ScaleAsync(admin, null);
        status.Should().Be(HttpStatusCode.BadRequest);
        Error(body).Should().Be("workers = '' is invalid: expected a whole number");

        using (var console = new CliConsole())
        {
            var environment = new CliEnvironment { AdminDirectory = primary.AdminDirectory, GetVariable = _ => null, RefreshInterval = TimeSpan.FromMilliseconds(200) };
            (await DefussCli.RunAsync(["scale", "2"], console, environment, CancellationToken.None).WaitAsync(ResizeTimeout)).Should().Be(0, console.Text);
            console.Text.Should().Contain("Scaled to 2 workers");
        }

        ReadyIndexes(await admin.StatusAsync()).Should().Equal(0, 1);
        await primary.WaitForLineAsync("Resize to 2 workers asked for through the admin endpoint");
    }

    private static async Task<(HttpStatusCode Status, string Body)> ScaleAsync(HttpClient admin, string? workers)
    {
        using var response = await admin.PostAsync(workers is null ? "scale" : $"scale?workers={workers}", null).WaitAsync(ResizeTimeout);
        return (response.StatusCode, await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default));
    }

    /// <summary>The indexes of the Ready workers; a retired worker's row may linger as Exited.</summary>
    private static int[] ReadyIndexes(JsonElement status) =>
        [.. status.GetProperty("workers").EnumerateArray()
            .Where(w => w.GetProperty("state").GetString() == "Ready")
            .Select(w => w.GetProperty("index").GetInt32())
            .Order()];

    private static string? Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetString();
}
