namespace Defuss.Processes;

internal sealed partial class OsWorkerProcess
{
    /// <summary>How many bytes one read of a worker's pipe takes at most.</summary>
    private const int ReadBytes = 16 * 1024;

    /// <summary>How many bytes may be read on, while more is waiting in the pipe, before their lines are echoed anyway.</summary>
    internal const int PieceBytes = 64 * 1024;

    /// <summary>
    /// Reads one of the worker's streams at full speed until it ends, splits it into bounded lines, keeps them in
    /// <paramref name="recent"/> (if given) and queues them for the echo, which drops what it cannot take. Nothing here
    /// blocks or grows without bound: the reads complete on socket-engine threads (a redirected pipe is read through
    /// the socket engine), and the worker never waits for the primary's console.
    /// </summary>
    private async Task PumpAsync(Stream stream, OutputEchoLane echo, RecentLines? recent)
    {
        try
        {
            await ReadPiecesAsync(stream, lines => Deliver(lines, echo, recent)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            ProcessLog.OutputFailed(_logger, echo.Stream, Pid, _index, e);
        }
    }

    /// <summary>
    /// Reads <paramref name="stream"/> until it ends and hands its lines to <paramref name="deliver"/> (which takes them
    /// and clears the list) in pieces: everything that was waiting in the pipe goes in one piece, however many reads it
    /// takes, up to <see cref="PieceBytes"/>. A log entry the worker wrote at once is so never cut in two by a read that
    /// filled its buffer, with another worker's lines echoed in between.
    /// </summary>
    internal static async Task ReadPiecesAsync(Stream stream, Action<List<string>> deliver)
    {
        var buffer = new byte[ReadBytes];
        var splitter = new OutputLineSplitter();
        var lines = new List<string>();
        var held = 0;
        while (true)
        {
            var reading = stream.ReadAsync(buffer);
            if (!reading.IsCompleted || held >= PieceBytes)
            {
                // The pipe is empty (or enough is held): what was read goes out before the wait for more.
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

    /// <summary>
    /// Keeps the lines of one piece (in the exit report's tail and the log book) and echoes them, labelled with the worker
    /// and joined, as one piece.
    /// </summary>
    private void Deliver(List<string> lines, OutputEchoLane echo, RecentLines? recent)
    {
        if (lines.Count == 0)
        {
            return;
        }

        foreach (var line in lines)
        {
            recent?.Add(line);
            _logs?.Add(_index, Pid, echo.Stream, line);
        }

        echo.TryWrite(WorkerLineLabel.Join(lines, _prefix, _jsonLabel));
        lines.Clear();
    }
}
