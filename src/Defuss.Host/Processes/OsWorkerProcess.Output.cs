namespace Defuss.Processes;

internal sealed partial class OsWorkerProcess
{
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
            await OutputPieces.ReadAsync(stream, lines => Deliver(lines, echo, recent)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            ProcessLog.OutputFailed(_logger, echo.Stream, Pid, _index, e);
        }
    }

    /// <summary>
    /// Keeps the lines of one piece (in the exit report's tail and the log book) and echoes them, labelled with the worker,
    /// as one piece.
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

        echo.TryWrite(WorkerLineLabel.LabelAll(lines, _prefix, _jsonLabel));
        lines.Clear();
    }
}
