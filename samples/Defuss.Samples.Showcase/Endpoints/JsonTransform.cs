using System.Globalization;
using System.Text.Json;

namespace Defuss.Samples.Showcase.Endpoints;

/// <summary>
/// The document <c>POST /json/transform</c> answers with: <c>{"data":…,"stats":{…}}</c>, where <c>data</c> is the input
/// with every string property called <c>name</c> upper-cased, and <c>stats</c> counts the values of each kind, the
/// names changed, and sums every number in the input.
/// </summary>
internal static class JsonTransform
{
    public static void Write(JsonElement root, Utf8JsonWriter writer)
    {
        var stats = new Stats();
        writer.WriteStartObject();
        writer.WritePropertyName("data");
        WriteValue(root, writer, ref stats);
        writer.WriteStartObject("stats");
        writer.WriteNumber("objects", stats.Objects);
        writer.WriteNumber("arrays", stats.Arrays);
        writer.WriteNumber("strings", stats.Strings);
        writer.WriteNumber("numbers", stats.Numbers);
        writer.WriteNumber("booleans", stats.Booleans);
        writer.WriteNumber("nulls", stats.Nulls);
        writer.WriteNumber("names", stats.Names);
        writer.WriteNumber("sum", stats.Sum);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    // Recursion is bounded: JsonDocument refuses documents nested deeper than 64 levels.
    private static void WriteValue(JsonElement value, Utf8JsonWriter writer, ref Stats stats)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                stats.Objects++;
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (property.Value.ValueKind == JsonValueKind.String && property.NameEquals("name"u8))
                    {
                        stats.Strings++;
                        stats.Names++;
                        writer.WriteStringValue(property.Value.GetString()!.ToUpper(CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        WriteValue(property.Value, writer, ref stats);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                stats.Arrays++;
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteValue(item, writer, ref stats);
                }

                writer.WriteEndArray();
                break;
            default:
                Count(value, ref stats);
                // Leaves are copied as they were written, so numbers keep their exact text.
                value.WriteTo(writer);
                break;
        }
    }

    private static void Count(JsonElement value, ref Stats stats)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                stats.Strings++;
                break;
            case JsonValueKind.Number:
                stats.Numbers++;
                stats.Sum += value.GetDouble();
                break;
            case JsonValueKind.True or JsonValueKind.False:
                stats.Booleans++;
                break;
            default:
                stats.Nulls++;
                break;
        }
    }

    private struct Stats
    {
        public int Objects;
        public int Arrays;
        public int Strings;
        public int Numbers;
        public int Booleans;
        public int Nulls;
        public int Names;
        public double Sum;
    }
}
