using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Defuss.Telemetry;

/// <summary>
/// Akka.NET's logger for the actor system Defuss creates: every Akka log event becomes one
/// <see cref="Microsoft.Extensions.Logging"/> entry under the category of the class that logged it (an actor's type, or
/// an Akka type), with Akka's message alone as its text and the actor's path as the <c>AkkaSource</c> property, so that
/// the app's console formatter or Serilog shows it like any other line.
/// </summary>
internal sealed class AkkaLogBridge : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly Dictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public AkkaLogBridge()
    {
        var setup = Context.System.Settings.Setup.Get<LoggerFactorySetup>();
        _loggerFactory = setup.HasValue
            ? setup.Value.LoggerFactory
            : throw new InvalidOperationException("The actor system has no LoggerFactorySetup: Akka.Hosting adds one; a hand-made system must too.");
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent logEvent:
                Log(logEvent);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The entry's category: the logging class's full name, else its source.</summary>
    internal static string CategoryOf(LogEvent logEvent) => logEvent.LogClass?.FullName ?? logEvent.LogSource ?? "Akka";

    internal static LogLevel LevelOf(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };

    private void Log(LogEvent logEvent)
    {
        var category = CategoryOf(logEvent);
        if (!_loggers.TryGetValue(category, out var logger))
        {
            logger = _loggerFactory.CreateLogger(category);
            _loggers[category] = logger;
        }

        var level = LevelOf(logEvent.LogLevel());
        if (!logger.IsEnabled(level))
        {
            return;
        }

        string text;
        try
        {
            text = logEvent.Message?.ToString() ?? "";
        }
        catch (FormatException)
        {
            text = (logEvent.Message as LogMessage)?.Format ?? "";
        }

        logger.Log(level, default, new AkkaLogState(text, logEvent.LogSource), logEvent.Cause, static (state, _) => state.Text);
    }

    /// <summary>The entry's state: the text, and where in the actor system it came from.</summary>
    private sealed class AkkaLogState(string text, string? source) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Text => text;

        public int Count => 1;

        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new("AkkaSource", source) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => text;
    }
}
