namespace Defuss.Tests.TestSupport;

public sealed class HeadlessBrowserTests
{
    [Fact]
    public async Task LaunchAsync_NoChromiumThere_FailsSayingHowToInstallIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"defuss-no-chromium-{Guid.NewGuid():N}");

        var launch = () => HeadlessBrowser.LaunchAsync(missing);

        var failure = await launch.Should().ThrowAsync<InvalidOperationException>();
        failure.Which.Message.Should().Contain(missing)
            .And.Contain("apt-get install -y chromium")
            .And.Contain("dotnet cake")
            .And.Contain(HeadlessBrowser.ExecutableVariable);
    }
}
