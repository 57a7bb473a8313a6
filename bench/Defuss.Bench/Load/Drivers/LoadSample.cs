namespace Defuss.Bench.Load.Drivers;

/// <summary>What went wrong in one run, by kind (wrk's categories; the WebSocket client uses connect, read and write).</summary>
/// <param name="Connect">Connections that could not be opened.</param>
/// <param name="Read">Reads that failed, or answers that were not what was sent (WebSocket).</param>
/// <param name="Write">Writes that failed.</param>
/// <param name="Timeout">Requests that had no answer within wrk's timeout.</param>
/// <param name="Status">Answers with a status of 400 or more.</param>
internal sealed record ErrorCounts(long Connect, long Read, long Write, long Timeout, long Status)
{
    public static ErrorCounts None { get; } = new(0, 0, 0, 0, 0);

    public long Total => Connect + Read + Write + Timeout + Status;

    public static ErrorCounts operator +(ErrorCounts left, ErrorCounts right) => new(
        left.Connect + right.Connect, left.Read + right.Read, left.Write + right.Write, left.Timeout + right.Timeout, left.Status + right.Status);

    public static ErrorCounts Add(ErrorCounts left, ErrorCounts right) => left + right;
}

/// <summary>One run of one scenario on one topology, as the load generator saw it.</summary>
/// <param name="Requests">Requests (or WebSocket round trips) completed.</param>
/// <param name="Seconds">How long the load ran.</param>
/// <param name="P50Ms">The median latency.</param>
/// <param name="P99Ms">The 99th percentile latency.</param>
/// <param name="Errors">What went wrong.</param>
internal sealed record LoadSample(long Requests, double Seconds, double P50Ms, double P99Ms, ErrorCounts Errors)
{
    public double RequestsPerSecond => Seconds > 0 ? Requests / Seconds : 0;
}
