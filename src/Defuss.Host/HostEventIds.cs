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
}
