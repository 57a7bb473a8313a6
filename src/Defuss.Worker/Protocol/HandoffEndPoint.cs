using System.Net;
using System.Net.Sockets;

namespace Defuss.Worker.Protocol;

/// <summary>
/// A worker's private endpoint in handoff mode: the Unix socket at <see cref="Path"/> on which the worker receives
/// client connections from the primary as descriptors. Kestrel binds it through Defuss's handoff transport.
/// </summary>
internal sealed class HandoffEndPoint : EndPoint
{
    public HandoffEndPoint(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _ = new UnixDomainSocketEndPoint(path); // the same limits as any Unix socket path (length, no NUL)
        Path = path;
    }

    /// <summary>The path of the handoff channel's Unix socket.</summary>
    public string Path { get; }

    public override AddressFamily AddressFamily => AddressFamily.Unix;

    public override string ToString() => "handoff:" + Path;

    public override bool Equals(object? obj) => obj is HandoffEndPoint other && other.Path == Path;

    public override int GetHashCode() => Path.GetHashCode(StringComparison.Ordinal);
}
