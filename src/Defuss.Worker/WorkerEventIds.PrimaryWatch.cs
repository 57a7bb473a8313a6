namespace Defuss.Worker;

internal static partial class WorkerEventIds
{
    // Runtime, the watch on the primary: 170-189
    public const int PrimaryWatchStarted = 170;
    public const int PrimaryWatchSawPrimaryEnd = 171;
    public const int PrimaryWatchExiting = 172;
}
