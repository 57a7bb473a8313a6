namespace Defuss.Worker.Runtime;

/// <summary>
/// The live counts of a worker's open connections and in-flight requests, kept by
/// <see cref="ConnectionCountingMiddleware"/> and <see cref="RequestCountingStartupFilter"/> and read at every heartbeat.
/// </summary>
internal sealed class WorkerActivity
{
    private long _activeConnections;
    private long _requestsInFlight;
    private long _requestsServed;

    public long ActiveConnections => Volatile.Read(ref _activeConnections);

    public long RequestsInFlight => Volatile.Read(ref _requestsInFlight);

    public void ConnectionOpened() => Interlocked.Increment(ref _activeConnections);

    public void ConnectionClosed() => Interlocked.Decrement(ref _activeConnections);

    public void RequestStarted() => Interlocked.Increment(ref _requestsInFlight);

    /// <summary>Requests completed since the process started.</summary>
    public long RequestsServed => Volatile.Read(ref _requestsServed);

    public void RequestEnded()
    {
        Interlocked.Decrement(ref _requestsInFlight);
        Interlocked.Increment(ref _requestsServed);
    }
}
