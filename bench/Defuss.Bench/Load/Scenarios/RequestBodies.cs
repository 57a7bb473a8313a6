using System.Buffers;
using System.Text.Json;

namespace Defuss.Bench.Load.Scenarios;

/// <summary>
/// The request bodies, made once and the same on every run: the JSON documents are the Showcase's own
/// (samples/Defuss.Samples.Showcase/Json/Payloads.cs), byte for byte what its <c>GET /json/generate</c> answers, so
/// that a check can also hold the Showcase and the Node anchor to that answer.
/// </summary>
internal static class RequestBodies
{
    public const int UploadBytes = 64 * 1024;
    private const int MediumUserCount = 100;
    private const int LargeRecordCount = 500;
    private const int LargeRecordDataBytes = 64;
    private static readonly string[] TagPool = ["admin", "beta", "staff", "trial", "vip"];

    public static ReadOnlyMemory<byte> JsonSmall { get; } = Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", 1);
        writer.WriteString("name", "defuss");
        writer.WriteBoolean("active", true);
        writer.WriteEndObject();
    });

    public static ReadOnlyMemory<byte> JsonMedium { get; } = Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("users");
        for (var id = 1; id <= MediumUserCount; id++)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", id);
            writer.WriteString("name", $"user {id}");
            writer.WriteString("email", $"user{id}@example.com");
            writer.WriteBoolean("active", id % 3 != 0);
            writer.WriteStartArray("tags");
            writer.WriteStringValue(TagPool[id % TagPool.Length]);
            writer.WriteStringValue(TagPool[(id + 2) % TagPool.Length]);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static ReadOnlyMemory<byte> JsonLarge { get; } = Write(writer =>
    {
        var data = new byte[LargeRecordDataBytes];
        writer.WriteStartObject();
        writer.WriteStartArray("records");
        for (var id = 1; id <= LargeRecordCount; id++)
        {
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (byte)((id * 31) + i);
            }

            writer.WriteStartObject();
            writer.WriteNumber("id", id);
            writer.WriteString("name", $"record {id}");
            writer.WriteNumber("timestamp", 1_704_067_200_000 + (id * 1000L));
            writer.WriteNumber("value", id * 1.5);
            writer.WriteBase64String("data", data);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    /// <summary>64 KiB that no layer can compress to nothing: every byte a function of its offset.</summary>
    public static ReadOnlyMemory<byte> Upload { get; } = Enumerable.Range(0, UploadBytes).Select(i => (byte)((i * 7) + (i >> 8))).ToArray();

    public static ReadOnlyMemory<byte> For(RequestBody body) => body switch
    {
        RequestBody.None => ReadOnlyMemory<byte>.Empty,
        RequestBody.JsonSmall => JsonSmall,
        RequestBody.JsonMedium => JsonMedium,
        RequestBody.JsonLarge => JsonLarge,
        RequestBody.Upload64K => Upload,
        _ => throw new ArgumentOutOfRangeException(nameof(body), body, "no such body"),
    };

    public static string? ContentType(RequestBody body) => body switch
    {
        RequestBody.None => null,
        RequestBody.Upload64K => "application/octet-stream",
        _ => "application/json",
    };

    private static ReadOnlyMemory<byte> Write(Action<Utf8JsonWriter> write)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            write(writer);
        }

        return output.WrittenMemory.ToArray();
    }
}
