using Serilog;

namespace Defuss.Samples.Showcase;

internal static class ShowcaseLogging
{
    // Compact and greppable: several processes share one console, so every line carries its process id
    // (named ProcessId so that a message's own {Pid} property, such as a worker's pid, does not replace it).
    private const string OutputTemplate =
        "{Timestamp:HH:mm:ss.fff} {Level:u3} [{ProcessId}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Replaces the default providers with Serilog's console sink, levels read from the <c>Serilog</c> section.</summary>
    public static WebApplicationBuilder AddShowcaseLogging(this WebApplicationBuilder builder)
    {
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.WithProperty("ProcessId", Environment.ProcessId)
            .WriteTo.Console(outputTemplate: OutputTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .CreateLogger();

        builder.Logging.ClearProviders();
        // Serilog's MinimumLevel is the one place levels are set, so let every level reach it.
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddSerilog(logger, dispose: true);
        return builder;
    }
}
