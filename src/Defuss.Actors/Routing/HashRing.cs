using System.Text;

namespace Defuss.Actors.Routing;

/// <summary>
/// A consistent-hash ring of <see cref="VirtualNodes"/> points per worker id: when a worker joins or leaves, only the
/// keys of the arcs it owns move.
/// </summary>
internal sealed class HashRing
{
    public const int VirtualNodes = 128;

    private readonly ulong[] _points;
    private readonly int[] _owners;

    public HashRing(IReadOnlyList<string> ids)
    {
        var points = new List<(ulong Point, int Owner)>(ids.Count * VirtualNodes);
        for (var owner = 0; owner < ids.Count; owner++)
        {
            for (var node = 0; node < VirtualNodes; node++)
            {
                points.Add((Hash(ids[owner] + "#" + node.ToString(System.Globalization.CultureInfo.InvariantCulture)), owner));
            }
        }

        points.Sort();
        _points = points.Select(p => p.Point).ToArray();
        _owners = points.Select(p => p.Owner).ToArray();
    }

    /// <summary>The position in the ids the ring was built from that owns <paramref name="key"/>.</summary>
    public int OwnerOf(string key)
    {
        var at = Array.BinarySearch(_points, Hash(key));
        at = at >= 0 ? at : ~at;
        return _owners[at == _points.Length ? 0 : at];
    }

    /// <summary>FNV-1a over UTF-8, then the MurmurHash3 finalizer so that similar keys spread over the whole ring; stable across processes.</summary>
    public static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        return hash ^ (hash >> 33);
    }
}
