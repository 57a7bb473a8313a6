namespace Defuss.Bench.Load.Scenarios;

/// <summary>Every scenario, in the order the benchmark runs and reports them.</summary>
internal static class ScenarioCatalog
{
    public const string Get = "get";
    public const string GetClose = "get-close";
    public const string JsonGenerate = "json-generate";
    public const string JsonEchoSmall = "json-echo-small";
    public const string JsonEchoMedium = "json-echo-medium";
    public const string JsonEchoLarge = "json-echo-large";
    public const string JsonTransform = "json-transform";
    public const string Upload = "upload-64k";
    public const string WebSocketEcho = "ws-echo";

    /// <summary>The bytes of each WebSocket message: a chat line or a small event.</summary>
    public const int WebSocketMessageBytes = 128;

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new(Get, "GET / (\"hello\"), keep-alive", ScenarioKind.Http, "GET", "/", RequestBody.None),
        new(GetClose, "GET / with Connection: close (a new connection per request)", ScenarioKind.Http, "GET", "/", RequestBody.None, CloseConnection: true),
        new(JsonGenerate, $"GET /json/generate?size=medium ({Units.Size(RequestBodies.JsonMedium.Length)} of JSON, serialized per request)", ScenarioKind.Http, "GET", "/json/generate?size=medium", RequestBody.None),
        new(JsonEchoSmall, $"POST /json/echo, {Units.Size(RequestBodies.JsonSmall.Length)} of JSON", ScenarioKind.Http, "POST", "/json/echo", RequestBody.JsonSmall),
        new(JsonEchoMedium, $"POST /json/echo, {Units.Size(RequestBodies.JsonMedium.Length)} of JSON", ScenarioKind.Http, "POST", "/json/echo", RequestBody.JsonMedium),
        new(JsonEchoLarge, $"POST /json/echo, {Units.Size(RequestBodies.JsonLarge.Length)} of JSON", ScenarioKind.Http, "POST", "/json/echo", RequestBody.JsonLarge),
        new(JsonTransform, $"POST /json/transform, {Units.Size(RequestBodies.JsonMedium.Length)} of JSON (parse, rewrite, count)", ScenarioKind.Http, "POST", "/json/transform", RequestBody.JsonMedium),
        new(Upload, $"POST /upload, {Units.Size(RequestBodies.Upload.Length)} hashed with SHA-256", ScenarioKind.Http, "POST", "/upload", RequestBody.Upload64K),
        new(WebSocketEcho, $"/ws, {WebSocketMessageBytes}-byte text messages echoed one at a time per connection", ScenarioKind.WebSocket, "GET", "/ws", RequestBody.None),
    ];

    public static Scenario? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
