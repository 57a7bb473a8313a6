using System.Text;

namespace Defuss.Worker.Runtime;

/// <summary>
/// Makes each write to a worker's console one write to its pipe. .NET's own console writer holds 256 characters and
/// writes a longer string in 256-character slices, so an exception's log entry (one <c>Write</c> of a few kilobytes)
/// reached the primary in several pieces, and another worker's lines could be echoed between them. A worker's standard
/// output and error are pipes the primary reads; each becomes a writer that holds <see cref="BufferChars"/> characters
/// and flushes after every call, as the console's does, so an entry up to that size reaches the pipe at once.
/// </summary>
internal static class WorkerConsole
{
    /// <summary>The most characters one write reaches the pipe with: 16 Ki, what the primary reads at once.</summary>
    internal const int BufferChars = 16 * 1024;

    /// <summary>Replaces the console's output and error writers with whole-write ones, each where it is redirected.</summary>
    public static void WriteEachCallWhole()
    {
#pragma warning disable RS0030 // A worker's console is a pipe to the primary, which reads it at full speed.
        if (Console.IsOutputRedirected)
        {
            Console.SetOut(Over(Console.OpenStandardOutput()));
        }

        if (Console.IsErrorRedirected)
        {
            Console.SetError(Over(Console.OpenStandardError()));
        }
#pragma warning restore RS0030
    }

    /// <summary>A synchronized writer over <paramref name="stream"/> that writes every call of up to <see cref="BufferChars"/> characters in one write.</summary>
    internal static TextWriter Over(Stream stream) =>
        TextWriter.Synchronized(new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), BufferChars, leaveOpen: true) { AutoFlush = true });
}
