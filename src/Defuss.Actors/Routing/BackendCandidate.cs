using System.Net;
using Defuss.Worker.Protocol;

namespace Defuss.Actors.Routing;

/// <summary>One worker as the router sees it: where it serves and how it is doing.</summary>
/// <param name="Id">The worker's id, <c>worker-N</c>.</param>
/// <param name="Index">The worker's index N.</param>
/// <param name="Endpoint">The worker's private endpoint.</param>
/// <param name="Pid">The worker's process id.</param>
/// <param name="Ready">Whether the worker's Kestrel has started.</param>
/// <param name="Healthy">Whether the worker is neither stale, draining nor ejected.</param>
/// <param name="LastHeartbeat">When the last heartbeat arrived.</param>
/// <param name="ActiveConnections">Connections the front door has open to this worker now.</param>
/// <param name="Stats">The worker's latest stats, if it has reported any.</param>
public sealed record BackendCandidate(
    string Id,
    int Index,
    EndPoint Endpoint,
    int Pid,
    bool Ready,
    bool Healthy,
    DateTimeOffset LastHeartbeat,
    long ActiveConnections,
    WorkerStats? Stats)
{
    /// <summary>
    /// The secret of the worker incarnation this candidate describes, which the front door puts in its PROXY header so
    /// that the worker can tell the primary from another local process; empty when unknown. Kept out of the public
    /// surface (and so out of <see cref="ToString"/>) because routers have no use for it.
    /// </summary>
    internal ReadOnlyMemory<byte> Secret { get; init; }

    /// <summary>The id of worker <paramref name="index"/>.</summary>
    public static string IdOf(int index) => "worker-" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
