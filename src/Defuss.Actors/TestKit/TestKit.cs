using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Defuss.Actors.TestKit;

/// <summary>
/// An actor system on a <see cref="ManualTimeProvider"/> for one test: derive a test class from it (or create one)
/// and dispose it at the end. Nothing on the system's clock happens until the test calls <c>Clock.Advance</c>.
/// </summary>
public class TestKit : IDisposable
{
    /// <summary>The real-time wait of an expectation that names no timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private bool _disposed;

    public TestKit(string systemName = "test", ILoggerFactory? loggerFactory = null)
    {
        Clock = new ManualTimeProvider();
        Sys = ActorSystem.Create(systemName, new ActorSystemSettings
        {
            TimeProvider = Clock,
            LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance,
        });
    }

    /// <summary>The system under test.</summary>
    public ActorSystem Sys { get; }

    /// <summary>The system's clock; advance it to fire timers, asks' timeouts and restart windows.</summary>
    public ManualTimeProvider Clock { get; }

    /// <summary>Creates a probe in this system.</summary>
    public TestProbe CreateTestProbe(string? name = null) => new(Sys, name, DefaultTimeout);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            return;
        }

        _disposed = true;
        if (!Sys.Terminate().Wait(DefaultTimeout))
        {
            throw new TestKitAssertionException($"The actor system '{Sys.Name}' did not terminate within {DefaultTimeout}.");
        }
    }
}
