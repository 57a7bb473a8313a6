using Defuss.Worker.Interop;

namespace Defuss.Worker.Runtime.Handoff;

/// <summary>
/// The descriptors a worker keeps free for its own work. A worker that runs out of descriptors fails more than its
/// connections: an assembly it loads for the first time fails to open, and .NET remembers that failure, so every later
/// request that needs it fails too, long after the descriptors are back. So the handoff intake gives a client socket
/// back to the primary, unserved, when receiving it left fewer than <see cref="Reserve"/> free (the primary routes it to
/// another worker, or answers 503), and serves again as soon as connections have closed.
/// </summary>
/// <remarks>
/// The kernel gives the lowest free number, so a received descriptor's number says how full the table was: the check is
/// one <c>getrlimit</c>. It cannot see holes below the top, so it may act late, never early; the channel's own handling of
/// an exhausted table still applies. A worker with no handed-off connection open serves whatever it receives, since
/// nothing it serves would free more.
/// </remarks>
internal sealed class DescriptorReserve(int reserve = DescriptorReserve.DefaultReserve)
{
    /// <summary>
    /// How many descriptors a worker keeps free: 32, enough for the files, assemblies and log writes of a burst of first
    /// requests, and a small part of any usual limit (1024 and up).
    /// </summary>
    public const int DefaultReserve = 32;

    private int _open;

    /// <summary>The descriptors kept free.</summary>
    public int Reserve => reserve;

    /// <summary>The handed-off connections open in this worker.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>
    /// Whether the worker should give back the client socket it just received as <paramref name="received"/>: it left
    /// fewer than the reserve free, and connections are open whose end will free some.
    /// </summary>
    public bool ShouldGiveBack(int received) =>
        (long)LinuxSockets.DescriptorLimit() - received - 1 < reserve && OpenConnections > 0;

    /// <summary>A handed-off connection opened in this worker.</summary>
    public void Opened() => Interlocked.Increment(ref _open);

    /// <summary>A handed-off connection closed, and its descriptor with it.</summary>
    public void Closed() => Interlocked.Decrement(ref _open);
}
