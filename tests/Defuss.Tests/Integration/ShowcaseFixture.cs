using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>One Showcase primary with 2 workers, shared by the tests that only send it traffic.</summary>
public sealed class ShowcaseFixture : IAsyncLifetime
{
    private DefussProcess? _process;

    internal DefussProcess Process => _process ?? throw new InvalidOperationException("The Showcase has not started.");

    public async Task InitializeAsync()
    {
        _process = await DefussProcess.StartAsync();
        await _process.ReadyPidsAsync();
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            var exitCode = await _process.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30));
            await _process.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
            await _process.DisposeAsync();
            exitCode.Should().Be(0);
        }
    }
}

/// <summary>The real-process tests run one at a time: each starts three processes, and the machine may have two cores.</summary>
[CollectionDefinition(Name)]
public sealed class ShowcaseCollection : ICollectionFixture<ShowcaseFixture>
{
    public const string Name = "Showcase";
}
