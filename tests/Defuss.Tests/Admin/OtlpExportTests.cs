using System.Collections.Concurrent;
using System.Text;
using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.Admin;

/// <summary>The primary pushes the Defuss metrics by OTLP/HTTP when the standard variables ask it to.</summary>
[Collection(ShowcaseCollection.Name)]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task OtlpEndpoint_WhenSet_ReceivesTheDefussInstrumentsWithPerWorkerGauges()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        };
        await using var primary = await DefussProcess.StartAppAsync(DefussProcess.ShowcasePath, environment);
        await primary.ReadyPidsAsync();
        await HttpTestClient.GetOnNewConnectionAsync(primary.BaseAddress, "/");

        // Protobuf keeps strings as UTF-8 bytes: the instruments' names and the labels' keys show in the raw request body.
        var export = await receiver.WaitForAsync(body =>
            body.Contains("defuss.connections.accepted", StringComparison.Ordinal)
            && body.Contains("defuss.worker.cpu", StringComparison.Ordinal)
            && body.Contains("defuss.routing.duration", StringComparison.Ordinal));

        export.Should().Contain("defuss.worker.index").And.Contain("defuss.worker.pid").And.Contain("service.instance.id").And.Contain("primary");
        receiver.Paths.Should().OnlyContain(path => path == "/v1/metrics");
        await primary.WaitForLineAsync("Pushing the Defuss metrics by OTLP to " + receiver.Url);
    }

    /// <summary>A local OTLP/HTTP receiver: Kestrel on a loopback port, keeping every request body it gets.</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly BlockingCollection<string> _bodies = [];
        private readonly ConcurrentQueue<string> _paths = new();
        private string _last = "";

        private OtlpReceiver(WebApplication app) => _app = app;

        public string Url { get; private set; } = "";

        public IReadOnlyCollection<string> Paths => _paths;

        public static async Task<OtlpReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new OtlpReceiver(app);
            app.Run(async context =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body, context.RequestAborted);
                receiver._paths.Enqueue(context.Request.Path);
                receiver._bodies.Add(Encoding.Latin1.GetString(body.ToArray()));
                context.Response.StatusCode = StatusCodes.Status200OK;
            });
            await app.StartAsync();
            receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return receiver;
        }

        /// <summary>Waits up to 30 s for an export whose body matches <paramref name="match"/>.</summary>
        public async Task<string> WaitForAsync(Func<string, bool> match)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                while (true)
                {
                    var body = await Task.Run(() => _bodies.Take(deadline.Token), deadline.Token);
                    _last = body;
                    if (match(body))
                    {
                        return body;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No OTLP export matched within 30 s; requests seen: {_paths.Count}; the last: {System.Text.RegularExpressions.Regex.Replace(_last, "[^ -~]", ".")}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _bodies.Dispose();
        }
    }
}
