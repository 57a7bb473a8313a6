using System.Text;
using Defuss.Telemetry;
using Microsoft.Extensions.Logging;

namespace Defuss.Processes;

/// <summary>
/// Where the workers' output goes in the primary: each of their streams to the primary's own, through a bounded lane
/// with its own writer thread (<see cref="OutputEchoLane"/>), so that a console that blocks holds up neither the primary
/// nor a worker, and a stream that blocks does not hold up the other.
/// </summary>
internal sealed class WorkerOutputEcho
{
    /// <summary>How many bytes of lines each lane may queue before it drops lines: 1 MiB.</summary>
    public const int QueueBytes = 1024 * 1024;

    public WorkerOutputEcho(TextWriter standardOutput, TextWriter standardError, ILogger logger, DefussMetrics? metrics = null, TimeProvider? timeProvider = null, int queueBytes = QueueBytes)
    {
        var clock = timeProvider ?? TimeProvider.System;
        Output = new OutputEchoLane("stdout", standardOutput, queueBytes, logger, metrics, clock);
        Error = new OutputEchoLane("stderr", standardError, queueBytes, logger, metrics, clock);
    }

    /// <summary>The workers' standard output, echoed to the primary's.</summary>
    public OutputEchoLane Output { get; }

    /// <summary>The workers' standard error, echoed to the primary's.</summary>
    public OutputEchoLane Error { get; }

    /// <summary>An echo that writes nowhere (tests that do not look at it).</summary>
    public static WorkerOutputEcho Discard(ILogger logger) => new(TextWriter.Null, TextWriter.Null, logger);

    /// <summary>The echo to the primary's own standard output and error, each written through a 16 KiB buffer.</summary>
    public static WorkerOutputEcho ToConsole(ILogger logger, DefussMetrics? metrics)
    {
#pragma warning disable RS0030 // Only the lanes' own writer threads write to these streams, and they are the threads that may block.
        return new WorkerOutputEcho(ConsoleWriter(Console.OpenStandardOutput()), ConsoleWriter(Console.OpenStandardError()), logger, metrics);
#pragma warning restore RS0030
    }

    private static StreamWriter ConsoleWriter(Stream stream) =>
        new(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 16 * 1024) { AutoFlush = false };

    /// <summary>Waits up to <paramref name="timeout"/> for the lines queued so far to be written, then reports the drops not reported yet.</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        try
        {
            await Task.WhenAll(Output.WhenDrainedAsync(), Error.WhenDrainedAsync()).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The primary's own output does not take them: it stops without them.
        }

        Output.ReportRemainingDrops();
        Error.ReportRemainingDrops();
    }
}
