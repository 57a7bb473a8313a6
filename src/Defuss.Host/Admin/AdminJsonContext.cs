using System.Text.Json;
using System.Text.Json.Serialization;
using Defuss.Hosting;

namespace Defuss.Admin;

/// <summary>The admin endpoint's JSON, camel-cased as web clients expect, written without reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DefussStatus))]
[JsonSerializable(typeof(AdminLogLine))]
[JsonSerializable(typeof(ReloadResult))]
[JsonSerializable(typeof(ScaleResult))]
[JsonSerializable(typeof(UpgradeAnswer))]
[JsonSerializable(typeof(AdminError))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;

/// <summary>One line of <c>/logs</c>.</summary>
internal sealed record AdminLogLine(DateTimeOffset Time, int Worker, int Pid, string Stream, string Text);

/// <summary>What <c>POST /reload</c> answers once the rolling restart is over.</summary>
internal sealed record ReloadResult(int Replaced);

/// <summary>What <c>POST /scale</c> answers once the pool has that many workers Ready.</summary>
internal sealed record ScaleResult(int Workers);

/// <summary>What <c>POST /upgrade</c> answers once the new primary accepts on the listening sockets.</summary>
/// <param name="Pid">The primary that answers, which now drains and exits.</param>
/// <param name="SuccessorPid">The new primary.</param>
/// <param name="ReadyWorkers">How many of the new primary's workers were Ready when it began to accept.</param>
internal sealed record UpgradeAnswer(int Pid, int SuccessorPid, int ReadyWorkers);

/// <summary>What the admin endpoint answers when it cannot do what was asked.</summary>
internal sealed record AdminError(string Error);
