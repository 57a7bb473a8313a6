using System.Text.Json;

namespace Defuss.Cli.Admin;

/// <summary>The admin API speaks System.Text.Json's web defaults (camelCase, case-insensitive reads).</summary>
internal static class AdminJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
