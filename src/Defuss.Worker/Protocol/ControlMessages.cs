using System.Text.Json.Serialization;

namespace Defuss.Worker.Protocol;

/// <summary>A frame on the control channel between the primary and one worker.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(Hello), "hello")]
[JsonDerivedType(typeof(Ready), "ready")]
[JsonDerivedType(typeof(Heartbeat), "heartbeat")]
[JsonDerivedType(typeof(Stopping), "stopping")]
[JsonDerivedType(typeof(Stop), "stop")]
internal abstract record ControlMessage;

/// <summary>The first frame a worker sends: who it is, and the secret of its incarnation.</summary>
/// <remarks>
/// <c>ProtocolVersion</c> is the control protocol the worker speaks (<see cref="ControlProtocol.Version"/> of its Defuss
/// build); a hello without one is from a build before the version was sent, which spoke version 1.
/// </remarks>
internal sealed record Hello(int Index, long Incarnation, int Pid, string Secret, int ProtocolVersion = ControlProtocol.Version) : ControlMessage;

/// <summary>The version of the control protocol, which a primary and its workers must share.</summary>
internal static class ControlProtocol
{
    /// <summary>
    /// The version this build speaks. Raise it with any change to the frames that an older primary or worker would
    /// misread; a primary refuses a worker of another version (after a deploy, restart the primary to take the new one).
    /// </summary>
    public const int Version = 1;
}

/// <summary>The worker's Kestrel has started and serves on <paramref name="Endpoint"/> (see <see cref="WorkerEndpoint"/>).</summary>
internal sealed record Ready(string Endpoint) : ControlMessage;

/// <summary>The worker is alive; sent every heartbeat interval.</summary>
internal sealed record Heartbeat(WorkerStats Stats) : ControlMessage;

/// <summary>The worker has begun to stop, for <paramref name="Reason"/>.</summary>
internal sealed record Stopping(string Reason) : ControlMessage;

/// <summary>From the primary: drain in-flight requests and exit within <paramref name="DeadlineMs"/> milliseconds.</summary>
internal sealed record Stop(int DeadlineMs) : ControlMessage;
