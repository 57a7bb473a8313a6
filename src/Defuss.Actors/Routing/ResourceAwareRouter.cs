namespace Defuss.Actors.Routing;

/// <summary>
/// The worker with the lowest load score: connections × 10 + CPU percent × 2 + (GC heap / GC committed) × 100, from its
/// latest stats; a worker that has reported no stats scores on its connections only. Ties go to the lowest index.
/// </summary>
internal sealed class ResourceAwareRouter : RouterActorBase
{
    internal static double Score(BackendCandidate candidate)
    {
        var score = candidate.ActiveConnections * 10.0;
        if (candidate.Stats is { } stats)
        {
            score += stats.CpuPercent * 2;
            score += stats.GcCommittedBytes > 0 ? (double)stats.GcHeapBytes / stats.GcCommittedBytes * 100 : 0;
        }

        return score;
    }

    protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates)
    {
        var best = candidates[0];
        var bestScore = Score(best);
        for (var i = 1; i < candidates.Count; i++)
        {
            var score = Score(candidates[i]);
            if (score < bestScore)
            {
                (best, bestScore) = (candidates[i], score);
            }
        }

        return best;
    }
}
