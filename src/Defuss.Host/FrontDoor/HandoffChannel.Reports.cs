using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;

namespace Defuss.FrontDoor;

internal sealed partial class HandoffChannel
{
    /// <summary>
    /// The ids the worker's reconciliation in progress listed as still open, among those this channel tracks: no more
    /// than <see cref="_open"/> holds, whatever the worker sends. Used on the loop alone.
    /// </summary>
    private readonly HashSet<long> _stillOpen = [];

    /// <summary>
    /// How many reads of the socket one readiness may take: a worker that floods reports gets its turn again on the next
    /// round of the loop, after everything else that is ready.
    /// </summary>
    private const int ReadsPerTurn = 16;

    private bool _finished;

    /// <summary>Reads the reports that have arrived, on the loop; ends the channel when they end.</summary>
    void ILoopWatcher.OnReady(uint events)
    {
        if (_finished)
        {
            return;
        }

        string? broken = null;
        try
        {
            var reads = ReadsPerTurn;
            while (true)
            {
                switch (_channel.TryReadFrame(ref reads, out var kind, out var id, out var payload, out var descriptor))
                {
                    case FrameRead.WouldBlock:
                        return;
                    case FrameRead.Ended:
                        Finish(broken: null);
                        return;
                }

                Handle(kind, id, payload, descriptor);
            }
        }
        catch (Exception exception) when (exception is FormatException or IOException)
        {
            // A worker that breaks the protocol, or a channel that failed, is treated as gone.
            broken = exception.Message;
        }

        Finish(broken);
    }

    private void Handle(HandoffFrameKind kind, long id, ReadOnlySpan<byte> payload, int descriptor)
    {
        switch (kind)
        {
            case HandoffFrameKind.Closed:
                Settle(id, -1);
                break;
            case HandoffFrameKind.Returned:
                if (!Settle(id, descriptor))
                {
                    // Given back after the front door stopped waiting for it (or settled): nobody will serve it.
                    _ = LinuxSockets.Close(descriptor);
                }

                break;
            case HandoffFrameKind.StillOpen:
                NoteStillOpen(payload);
                break;
            case HandoffFrameKind.Reconcile:
                Reconcile(received: id);
                break;
            default:
                if (descriptor >= 0)
                {
                    _ = LinuxSockets.Close(descriptor);
                }

                throw new FormatException($"The worker sent a {kind} frame, which only the primary sends.");
        }
    }

    /// <summary>The channel has ended: every connection it tracked is settled as ended, and the socket closes.</summary>
    private void Finish(string? broken)
    {
        _finished = true;
        var open = _open.Count;
        _ended.TrySetResult();
        foreach (var id in _open.Keys)
        {
            Settle(id, -1);
        }

        // The registration goes before the number: epoll keeps it as long as the socket lives, not the number.
        _loop.Unwatch(_fd, _watch);
        _channel.Dispose();
        if (broken is not null)
        {
            _metrics?.HandoffChannelBroke();
            var occurrences = 1L;
            if (_breaks is null || _breaks.TryEnter(out occurrences))
            {
                HandoffLog.ChannelBroke(_logger, Path, broken, open, occurrences);
            }
        }
    }

    /// <summary>Completes connection <paramref name="id"/> with <paramref name="result"/>; false when it was not open here.</summary>
    private bool Settle(long id, int result)
    {
        if (!_open.TryRemove(id, out var connection))
        {
            return false;
        }

        connection.Outcome.TrySetResult(result);
        return true;
    }

    private void NoteStillOpen(ReadOnlySpan<byte> payload)
    {
        var count = HandoffFrame.IdCount(payload);
        for (var i = 0; i < count; i++)
        {
            var id = HandoffFrame.IdAt(payload, i);
            if (_open.ContainsKey(id))
            {
                _stillOpen.Add(id);
            }
        }
    }

    /// <summary>
    /// The worker had read <paramref name="received"/> connections when it listed the ones it still has: each of those
    /// that it did not list has ended, and its report was lost (or is on its way, and will find nothing to settle).
    /// Connections sent after them are left alone: the worker had not seen them.
    /// </summary>
    private void Reconcile(long received)
    {
        var settled = 0;
        foreach (var (id, connection) in _open)
        {
            if (connection.Sequence <= received && !_stillOpen.Contains(id) && Settle(id, -1))
            {
                settled++;
            }
        }

        _stillOpen.Clear();
        if (settled > 0)
        {
            _metrics?.ConnectionsReconciled(settled);
            HandoffLog.ConnectionsReconciled(_logger, Path, settled);
        }
    }
}
