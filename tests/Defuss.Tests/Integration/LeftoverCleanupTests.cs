using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>A primary killed with SIGKILL leaves its private directory; the next primary of the user removes it.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed class LeftoverCleanupTests
{
    [Fact]
    public async Task PrimaryKilled_TheNextPrimaryRemovesTheDirectoryItLeft_AndSaysSo()
    {
        string leftover;
        await using (var killed = await DefussProcess.StartAsync())
        {
            await killed.ReadyPidsAsync();
            leftover = killed.PrivateDirectory!;
            (await killed.SignalAndWaitAsync(Native.SIGKILL, TimeSpan.FromSeconds(10))).Should().Be(137);
            await killed.WaitForNoWorkersAsync(TimeSpan.FromSeconds(20));
            Directory.Exists(leftover).Should().BeTrue("nothing cleans up after a SIGKILL");

            await using var next = await DefussProcess.StartAsync();

            await next.WaitForLineAsync(@"Removed \d+ private directories left by Defuss primaries that no longer run: .*" + System.Text.RegularExpressions.Regex.Escape(leftover));
            Directory.Exists(leftover).Should().BeFalse();
            Directory.Exists(next.PrivateDirectory).Should().BeTrue("a running primary's directory is never touched");
        }
    }
}
