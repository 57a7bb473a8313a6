namespace Defuss.Worker;

/// <summary>The stable event ids of every log message in Defuss.Worker (100-199).</summary>
internal static partial class WorkerEventIds
{
    // Runtime, control channel: 100-129
    public const int ControlConnected = 100;
    public const int ControlConnectRetry = 101;
    public const int ControlConnectFailed = 102;
    public const int WorkerReady = 103;
    public const int StopRequested = 104;
    public const int PrimaryGone = 105;
    public const int ControlChannelFailed = 106;
    public const int ControlChannelClosedWhileStopping = 107;
    public const int UnexpectedControlMessage = 108;
    public const int StoppingNotSent = 109;

    // Runtime, endpoint binding: 130-149
    public const int StaleSocketDeleted = 130;
    public const int ProxyHeaderRejected = 131;
    public const int ProxyHeaderSecretRejected = 132;

    // Runtime, handoff transport: 150-169
    public const int HandoffListening = 150;
    public const int HandoffChannelRejected = 151;
    public const int HandoffChannelBroken = 152;
    public const int HandoffChannelAcceptFailed = 153;
    public const int HandoffConnectionsReturned = 154;
    public const int HandoffReportsDropped = 155;
    public const int HandoffChannelFailed = 156;
    public const int HandoffListenerFailed = 157;
    public const int HandoffReconciliationNotSent = 158;
    public const int HandoffChannelEnded = 159;
    public const int HandoffNearDescriptorLimit = 160;
}
