using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Defuss.Bench.Load.Results;

namespace Defuss.Bench.Load.Reports;

/// <summary>The report as JSON, camel-cased and indented: every figure, every round, for scripts and later comparisons.</summary>
internal static class JsonReport
{
    /// <summary>The source-generated metadata, with +, quotes and non-ASCII written as they are: the file is read by people too.</summary>
    private static readonly JsonSerializerOptions Options = new(BenchJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(BenchReport report) => JsonSerializer.Serialize(report, Options.GetTypeInfo(typeof(BenchReport))) + "\n";
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
