namespace Defuss;

/// <summary>The stable event ids of every log message in Defuss.Host (3000-3999), one range per part.</summary>
internal static class HostEventIds
{
    // Processes: 3200-3299
    public const int WorkerProcessStarted = 3200;
    public const int WorkerProcessExited = 3201;
    public const int SignalFailed = 3202;
    public const int ErrorOutputStillOpen = 3203;
    public const int ErrorOutputFailed = 3204;
}
