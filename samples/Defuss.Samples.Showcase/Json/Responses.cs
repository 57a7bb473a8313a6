namespace Defuss.Samples.Showcase.Json;

internal sealed record HealthResponse(bool Ok, int Pid, int? Worker);

internal sealed record ClientResponse(string? RemoteIp, int RemotePort);

internal sealed record UploadResponse(long Received, string Sha256);

internal sealed record SseEvent(int Count, long Ts);

internal sealed record ErrorResponse(string Error);
