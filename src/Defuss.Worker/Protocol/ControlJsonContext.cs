using System.Text.Json.Serialization;

namespace Defuss.Worker.Protocol;

/// <summary>Source-generated serialization of the control frames (no reflection, trimming-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ControlMessage))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
