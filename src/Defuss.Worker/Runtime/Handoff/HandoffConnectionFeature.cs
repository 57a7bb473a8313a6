namespace Defuss.Worker.Runtime.Handoff;

/// <summary>
/// Set on each connection that came through a handoff channel: which primary-side connection it is, and where to report
/// its end, so that the primary's router counts it as open for exactly as long as it is.
/// </summary>
internal sealed class HandoffConnectionFeature(WorkerHandoffChannel channel, long id)
{
    private int _reported;

    /// <summary>The primary's number for this connection.</summary>
    public long Id => id;

    /// <summary>Tells the primary that the connection has ended; only the first call counts.</summary>
    public void ReportClosed()
    {
        if (Interlocked.Exchange(ref _reported, 1) == 0)
        {
            channel.ReportClosed(id);
        }
    }
}
