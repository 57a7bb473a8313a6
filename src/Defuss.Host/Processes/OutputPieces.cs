namespace Defuss.Processes;

/// <summary>Reads a process's output stream in pieces of whole lines: what the primary echoes of a worker, or of a new primary.</summary>
internal static class OutputPieces
{
    /// <summary>How many bytes one read of a pipe takes at most.</summary>
    public const int ReadBytes = 16 * 1024;

    /// <summary>How many bytes may be read on, while more is waiting in the pipe, before their lines are handed on anyway.</summary>
    public const int PieceBytes = 64 * 1024;

    /// <summary>
    /// Reads <paramref name="stream"/> (a pipe a process writes to) until it ends and hands its lines to
    /// <paramref name="deliver"/> (which takes them and clears the list) in pieces: everything that was waiting in the
    /// pipe goes in one piece, however many reads it takes, up to <see cref="PieceBytes"/>. A log entry a worker wrote at
    /// once is so never cut in two by a read that filled its buffer, with another worker's lines echoed in between.
    /// </summary>
    public static async Task ReadAsync(Stream stream, Action<List<string>> deliver)
    {
        var buffer = new byte[ReadBytes];
        var splitter = new OutputLineSplitter();
        var lines = new List<string>();
        var held = 0;
        while (true)
        {
            if (held >= PieceBytes)
            {
                deliver(lines);
                held = 0;

                // A process that writes without a pause keeps its pipe full, and every read completes at once: without
                // this, the loop would keep one thread for as long as the process writes.
                await Task.Yield();
            }

            var reading = stream.ReadAsync(buffer);
            if (!reading.IsCompleted)
            {
                // The pipe is empty: what was read goes out before the wait for more.
                deliver(lines);
                held = 0;
            }

            var read = await reading.ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            splitter.Push(buffer.AsSpan(0, read), lines);
            held += read;
        }

        splitter.Finish(lines);
        deliver(lines);
    }
}
