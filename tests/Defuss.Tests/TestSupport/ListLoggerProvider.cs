using Microsoft.Extensions.Logging;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// Keeps every log entry at every level in memory, so that a test can assert on what was (not) logged or wait until
/// it is. Usable as a provider (added to a host's logging) or directly as the logger factory of the code under test.
/// </summary>
internal sealed class ListLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly Recording<LogEntry> _entries = new();

    public IReadOnlyCollection<LogEntry> Entries => _entries.Items;

    public IEnumerable<LogEntry> Errors => _entries.Items.Where(e => e.Level >= LogLevel.Error);

    /// <summary>As a factory, it collects everything itself; other providers are not needed.</summary>
    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, this);

    /// <summary>Completes with the first entry, logged before or after the call, that matches <paramref name="predicate"/>.</summary>
    public Task<LogEntry> WaitForAsync(Func<LogEntry, bool> predicate) => _entries.WaitForAsync(predicate).WaitAsync(TestTimeouts.Default);

    public void Dispose()
    {
    }

    private void Add(LogEntry entry) => _entries.Add(entry);

    public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    private sealed class ListLogger(string category, ListLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Add(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
