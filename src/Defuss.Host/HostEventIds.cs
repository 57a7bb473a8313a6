namespace Defuss;

/// <summary>The stable event ids of every log message in Defuss.Host (3000-3999).</summary>
internal static class HostEventIds
{
    // Front door: 3000-3099
    public const int FrontDoorListening = 3000;
    public const int FrontDoorStoppedAccepting = 3001;
    public const int AcceptFailed = 3002;
    public const int ConnectionAccepted = 3003;
    public const int ClientClosedBeforeRequest = 3004;
    public const int RequestHeadSniffed = 3005;
    public const int BackendChosen = 3006;
    public const int BackendConnectFailed = 3007;
    public const int ConnectAttemptsExhausted = 3008;
    public const int NoBackendAvailable = 3009;
    public const int BackendSelectorFailed = 3010;
    public const int ProxiedConnectionClosed = 3011;
    public const int ConnectionAborted = 3012;
    public const int ConnectionFailed = 3013;
    public const int AbortingConnections = 3014;
    public const int HandoffChannelOpened = 3015;
    public const int HandoffChannelClosed = 3016;
    public const int ConnectionReturned = 3017;
    public const int HandedOffConnectionClosed = 3018;
    public const int AcceptFailedErrno = 3019;
    public const int DeliveryChosen = 3020;

    // Front door limits (connections, descriptors, proxy timeouts): 3021-3039
    public const int OverCapacity = 3021;
    public const int ProxyIdleClosed = 3022;
    public const int ProxyHalfCloseClosed = 3023;
    public const int PrimaryShortOfResources = 3024;
    public const int FrontDoorLoopWorkFailed = 3025;
    // Handoff channels, accounting and reconciliation: 3040-3059
    public const int HandoffChannelBroke = 3040;
    public const int HandoffChannelRetired = 3041;
    public const int HandoffConnectionsReconciled = 3042;
    public const int HandoffHeadBudgetExceeded = 3043;

    // Primary and workers' lifecycle: 3100-3199
    public const int PrimaryStarted = 3100;
    public const int PrimaryListening = 3101;
    public const int PrimaryStopping = 3102;
    public const int PrimaryStopped = 3103;
    public const int StartupFailed = 3104;
    public const int InvalidOptions = 3105;
    public const int WorkerStarted = 3110;
    public const int WorkerReady = 3111;
    public const int WorkerExited = 3112;
    public const int WorkerRespawnScheduled = 3113;
    public const int WorkerLaunchFailed = 3114;
    public const int WorkerStartupTimedOut = 3115;
    public const int WorkerHelloRejected = 3116;
    public const int ForcedStop = 3117;
    public const int WorkerStale = 3118;
    public const int WorkerGaveUp = 3119;
    public const int AllWorkersGaveUp = 3120;
    public const int RollingRestart = 3121;
    public const int RollingRestartCompleted = 3122;
    public const int RollingRestartAbandoned = 3123;
    public const int WorkerReplacing = 3124;
    public const int WorkerDraining = 3125;
    public const int JoinedAppActorSystem = 3126;
    public const int ActorsNotStarted = 3127;
    public const int AppRunsInThePrimary = 3128;

    // Primary limits and leaks (descriptor limit, leases left at stop): 3129-3139
    public const int LeasesLeftAtStop = 3129;
    public const int DescriptorLimit = 3130;
    public const int MaxConnectionsAboveLimit = 3131;
    public const int LeftoversRemoved = 3132;
    public const int EndpointsFromAspNet = 3133;
    public const int UrlsIgnored = 3134;
    public const int ResizeSignal = 3135;
    public const int PoolScaled = 3136;

    // Hand-over to a new primary (upgrade) and socket activation: 3140-3159
    public const int UpgradeStarting = 3140;
    public const int SuccessorStarted = 3141;
    public const int HandedOver = 3142;
    public const int UpgradeFailed = 3143;
    public const int UpgradeRefused = 3144;
    public const int SuccessorKilled = 3145;
    public const int TakingOver = 3146;
    public const int SystemdSockets = 3147;
    public const int AdminAfterHandOverFailed = 3148;
    public const int EnvironmentFileUnreadable = 3149;
    public const int ErrorOutputNotTakenBack = 3150;

    // Processes: 3200-3299
    public const int WorkerProcessStarted = 3200;
    public const int WorkerProcessExited = 3201;
    public const int SignalFailed = 3202;
    public const int ErrorOutputStillOpen = 3203;
    public const int ErrorOutputFailed = 3204;

    // Worker output (bounded lines, drops) and leftover processes: 3205-3229
    public const int WorkerOutputDropped = 3205;
    public const int LeftoverProcessesKilled = 3206;

    // Control channel: 3300-3399
    public const int ControlRejected = 3300;
    public const int ControlAcceptFailed = 3301;

    // Control channel validation (malformed reports): 3302-3319
    public const int ControlReportRefused = 3302;
    public const int ControlWorkerBrokeProtocol = 3303;
    public const int ControlRejectionsNotLogged = 3304;

    // The admin endpoint (Admin).
    public const int AdminListening = 3400;
    public const int AdminSocketFailed = 3401;
    public const int AdminRefused = 3402;
    public const int AdminReload = 3403;
    public const int OtlpExport = 3404;
    public const int AdminScale = 3405;
    public const int AdminUpgrade = 3406;
}
