namespace Defuss.Bench.Load.Scenarios;

/// <summary>How a scenario's load is made: wrk for HTTP, the bench's own client for WebSocket.</summary>
internal enum ScenarioKind
{
    Http,
    WebSocket,
}

/// <summary>The body a scenario sends with each request.</summary>
internal enum RequestBody
{
    None,
    JsonSmall,
    JsonMedium,
    JsonLarge,
    Upload64K,
}

/// <summary>One kind of traffic, driven the same way against every topology.</summary>
/// <param name="Name">The name <c>--scenarios</c> takes.</param>
/// <param name="Request">What is sent, for a person (<c>POST /json/echo, 9.9 KiB of JSON</c>).</param>
/// <param name="Kind">Who makes the load.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path and query.</param>
/// <param name="Body">The body sent with every request.</param>
/// <param name="CloseConnection">Whether every request says <c>Connection: close</c>, so that each one opens a new connection.</param>
internal sealed record Scenario(string Name, string Request, ScenarioKind Kind, string Method, string Path, RequestBody Body, bool CloseConnection = false);
