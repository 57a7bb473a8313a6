namespace Defuss.Actors.Routing;

/// <summary>
/// Two distinct workers picked at random, then the one with fewer active connections (the first on a tie): nearly as
/// even as least connections, without every new connection herding onto the same idle worker.
/// </summary>
/// <param name="next">The random source: <c>next(n)</c> returns a number from 0 to n - 1, as <see cref="Random.Next(int)"/>.</param>
internal sealed class PowerOfTwoChoicesRouter(Func<int, int> next) : RouterActorBase
{
    public PowerOfTwoChoicesRouter(Random random)
        : this(random.Next)
    {
    }

    protected override BackendCandidate? Choose(ParsedRequest request, IReadOnlyList<BackendCandidate> candidates)
    {
        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        var first = next(candidates.Count);
        var second = next(candidates.Count - 1);
        if (second >= first)
        {
            second++;
        }

        var (a, b) = (candidates[first], candidates[second]);
        return b.ActiveConnections < a.ActiveConnections ? b : a;
    }
}
