using System.Collections.Concurrent;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>
/// The Showcase primaries with 2 workers shared by the tests that only send them traffic: one per delivery mode, each
/// started the first time a test asks for it.
/// </summary>
public sealed class ShowcaseFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<DefussProcess>>> _processes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The shared Showcase that delivers connections by <paramref name="delivery"/>, started if need be.</summary>
    internal Task<DefussProcess> ProcessAsync(string delivery) =>
        _processes.GetOrAdd(delivery, mode => new Lazy<Task<DefussProcess>>(() => StartAsync(mode))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var started in _processes.Values.Where(lazy => lazy.IsValueCreated))
        {
            var process = await started.Value;
            var exitCode = await process.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30));
            await process.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
            await process.DisposeAsync();
            exitCode.Should().Be(0);
        }
    }

    private static async Task<DefussProcess> StartAsync(string delivery)
    {
        var process = await DefussProcess.StartAsync(Delivery.Setting(delivery));
        await process.ReadyPidsAsync();
        return process;
    }
}

/// <summary>The real-process tests run one at a time: each starts three processes, and the machine may have two cores.</summary>
[CollectionDefinition(Name)]
public sealed class ShowcaseCollection : ICollectionFixture<ShowcaseFixture>
{
    public const string Name = "Showcase";
}
