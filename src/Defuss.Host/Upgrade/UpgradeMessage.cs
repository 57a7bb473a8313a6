using System.Text.Json.Serialization;

namespace Defuss.Upgrade;

/// <summary>
/// What the two primaries of a hand-over say to each other, in order: the old one <see cref="UpgradeKinds.Offer"/>s its
/// listening sockets; the new one answers <see cref="UpgradeKinds.Accepting"/> once its workers are ready and it accepts
/// on them (or <see cref="UpgradeKinds.Failed"/>, with why); the old one stops accepting and closes its admin endpoint,
/// then says <see cref="UpgradeKinds.Released"/>, so that the new one may bind the admin URL.
/// </summary>
/// <param name="Kind">One of <see cref="UpgradeKinds"/>.</param>
/// <param name="Pid">The sender's process id.</param>
/// <param name="Endpoints">With an offer: each listening socket's address, in the order of the descriptors. With accepting: the public URLs.</param>
/// <param name="Reason">With failed: why, for the old primary's log.</param>
/// <param name="ReadyWorkers">With accepting: how many of the new primary's workers are Ready.</param>
/// <param name="ErrorOutput">
/// With an offer: a descriptor follows the listening sockets', the old primary's standard error, which the new primary
/// takes back as its own before it accepts (until then, its standard error is a pipe the old primary reads).
/// </param>
internal sealed record UpgradeMessage(
    string Kind,
    int Pid,
    IReadOnlyList<string>? Endpoints = null,
    string? Reason = null,
    int ReadyWorkers = 0,
    bool ErrorOutput = false);

/// <summary>The kinds of <see cref="UpgradeMessage"/>.</summary>
internal static class UpgradeKinds
{
    public const string Offer = "offer";
    public const string Accepting = "accepting";
    public const string Failed = "failed";
    public const string Released = "released";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UpgradeMessage))]
internal sealed partial class UpgradeJsonContext : JsonSerializerContext;
