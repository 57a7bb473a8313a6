using System.Reflection;
using Defuss.Admin;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Defuss.Telemetry;

/// <summary>
/// The primary's own OpenTelemetry metrics pipeline for the <c>Defuss</c> meter: read by the admin endpoint's
/// <c>/metrics</c> (Prometheus text), and pushed by OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with
/// the other standard <c>OTEL_*</c> variables: protocol, headers, <c>OTEL_METRIC_EXPORT_INTERVAL</c>). It is separate
/// from any pipeline the app configures, which runs in the workers, and needs nothing from the app.
/// </summary>
internal static class MetricsExport
{
    /// <summary>The standard variable that turns the OTLP push on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static MeterProvider Create(ILogger logger)
    {
        var resource = ResourceBuilder.CreateDefault();
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME")))
        {
            resource.AddService(Assembly.GetEntryAssembly()?.GetName().Name ?? "defuss", serviceInstanceId: "primary", autoGenerateServiceInstanceId: false);
        }
        else
        {
            // The service is named by the variable; the instance is still the primary (the workers are 0, 1, ...).
            resource.AddAttributes([new KeyValuePair<string, object>("service.instance.id", "primary")]);
        }

        var builder = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(DefussMetrics.MeterName)
            .AddPrometheusExporter();
        if (Environment.GetEnvironmentVariable(OtlpEndpointVariable) is { Length: > 0 } endpoint)
        {
            builder.AddOtlpExporter();
            AdminLog.Otlp(logger, endpoint);
        }

        return builder.Build();
    }
}
