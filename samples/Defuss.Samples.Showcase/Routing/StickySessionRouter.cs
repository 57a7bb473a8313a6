using Defuss.Actors.Routing;

namespace Defuss.Samples.Showcase.Routing;

/// <summary>
/// A custom router actor, as an app writes one (the README shows this class): a request with an <c>X-Session-Id</c>
/// header stays on the worker process that served its session first, and everything else goes to the worker with the
/// lowest CPU percent in its latest heartbeat (a worker that has not reported yet counts as idle; ties go to the lowest
/// index).
/// </summary>
/// <remarks>
/// A session is remembered with its worker's id and process id, so it never follows the id onto a new process, whose
/// memory would not hold it. When a worker leaves the candidates (it exited, hung, is draining or is ejected), its
/// sessions are forgotten and placed again on their next request. A real app would also expire idle sessions.
/// </remarks>
internal sealed class StickySessionRouter : RouterActorBase
{
    /// <summary>The request header that names a session.</summary>
    public const string SessionHeader = "X-Session-Id";

    private readonly Dictionary<string, (string Id, int Pid)> _sessions = new(StringComparer.Ordinal);
    private HashSet<(string Id, int Pid)> _workers = [];

    protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates)
    {
        ForgetSessionsOfWorkersThatLeft(candidates);
        var session = request.GetHeader(SessionHeader);
        if (string.IsNullOrEmpty(session))
        {
            return LowestCpu(candidates);
        }

        if (_sessions.TryGetValue(session, out var worker)
            && candidates.FirstOrDefault(c => c.Id == worker.Id && c.Pid == worker.Pid) is { } sticky)
        {
            return sticky;
        }

        var chosen = LowestCpu(candidates);
        _sessions[session] = (chosen.Id, chosen.Pid);        // the process, not just the id: a restart loses its memory
        return chosen;
    }

    // A worker without stats yet counts as idle; ties go to the lowest index.
    private static BackendCandidate LowestCpu(IReadOnlyList<BackendCandidate> candidates) =>
        candidates.MinBy(c => c.Stats?.CpuPercent ?? 0)!;

    // A worker that exited, hung, is draining or is ejected is no candidate: its sessions are placed again.
    private void ForgetSessionsOfWorkersThatLeft(IReadOnlyList<BackendCandidate> candidates)
    {
        if (candidates.Count == _workers.Count && candidates.All(c => _workers.Contains((c.Id, c.Pid))))
        {
            return;
        }

        _workers = candidates.Select(c => (c.Id, c.Pid)).ToHashSet();
        foreach (var (session, worker) in _sessions)
        {
            if (!_workers.Contains(worker))
            {
                _sessions.Remove(session);
            }
        }
    }
}
