using Defuss.Worker.Protocol;

namespace Defuss.Worker.Runtime.Handoff;

internal sealed partial class WorkerHandoffChannel
{
    /// <summary>
    /// Lists the open connections to the primary (<see cref="HandoffFrameKind.StillOpen"/> frames), then how many
    /// connections it had received by then (<see cref="HandoffFrameKind.Reconcile"/>). Runs on the report loop, so
    /// every report queued before it is sent before it.
    /// </summary>
    private void SendReconciliation()
    {
        // The count first: a connection it counts was listed as open before it was counted, so it is in the list below
        // unless it has ended since, and then its report is queued. The primary settles only what the count covers.
        var received = Interlocked.Read(ref _received);
        long[] open;
        lock (_openGate)
        {
            open = [.. _open];
        }

        var chunks = (open.Length + HandoffFrame.MaxIdsPerFrame - 1) / HandoffFrame.MaxIdsPerFrame;
        var frames = new byte[((chunks + 1) * HandoffFrame.HeaderSize) + (open.Length * HandoffFrame.IdSize)];
        var at = 0;
        for (var first = 0; first < open.Length; first += HandoffFrame.MaxIdsPerFrame)
        {
            var ids = open.AsSpan(first, Math.Min(HandoffFrame.MaxIdsPerFrame, open.Length - first));
            var length = HandoffFrame.WriteIds(frames.AsSpan(at + HandoffFrame.HeaderSize), ids);
            HandoffFrame.WriteHeader(frames.AsSpan(at), HandoffFrameKind.StillOpen, 0, length);
            at += HandoffFrame.HeaderSize + length;
        }

        HandoffFrame.WriteHeader(frames.AsSpan(at), HandoffFrameKind.Reconcile, received, 0);
        if (!_channel.SendFrames(frames, ReportTimeout))
        {
            WorkerLog.HandoffReconciliationNotSent(_logger, open.Length);
        }
    }
}
