using System.Text.Json;
using System.Text.Json.Serialization;

namespace Defuss.Samples.Showcase.Json;

/// <summary>Source-generated System.Text.Json metadata for every type the Showcase writes: no reflection per request.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ClientResponse))]
[JsonSerializable(typeof(UploadResponse))]
[JsonSerializable(typeof(SseEvent))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(SmallPayload))]
[JsonSerializable(typeof(MediumPayload))]
[JsonSerializable(typeof(LargePayload))]
internal sealed partial class ShowcaseJsonContext : JsonSerializerContext;

internal static class ShowcaseJson
{
    /// <summary>Puts <see cref="ShowcaseJsonContext"/> first in the resolver chain minimal APIs serialize with.</summary>
    public static WebApplicationBuilder AddShowcaseJson(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ShowcaseJsonContext.Default));
        return builder;
    }
}
