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
internal sealed record Hello(int Index, long Incarnation, int Pid, string Secret) : ControlMessage;

/// <summary>The worker's Kestrel has started and serves on <paramref name="Endpoint"/> (see <see cref="WorkerEndpoint"/>).</summary>
internal sealed record Ready(string Endpoint) : ControlMessage;

/// <summary>The worker is alive; sent every heartbeat interval.</summary>
internal sealed record Heartbeat(WorkerStats Stats) : ControlMessage;

/// <summary>The worker has begun to stop, for <paramref name="Reason"/>.</summary>
internal sealed record Stopping(string Reason) : ControlMessage;

/// <summary>From the primary: drain in-flight requests and exit within <paramref name="DeadlineMs"/> milliseconds.</summary>
internal sealed record Stop(int DeadlineMs) : ControlMessage;
