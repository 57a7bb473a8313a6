using Defuss.Hosting;
using Defuss.Samples.Showcase;
using Defuss.Samples.Showcase.Endpoints;
using Defuss.Samples.Showcase.Json;
using Defuss.Samples.Showcase.Routing;
using Defuss.Samples.Showcase.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Runs as the primary and as every worker: build the app the same way each time, with no side effects.
// appsettings.json is read from beside the binary, so the log levels (and with them the speed) are the same
// whatever directory a test or a benchmark starts the Showcase from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// Showcase:Plain=true serves the same app as one plain Kestrel process (on --urls), without Defuss: the baseline the
// benchmarks and the tests compare Defuss with.
var plain = builder.Configuration.GetValue<bool>("Showcase:Plain");

// Showcase:Router=Sticky routes with the Showcase's own router actor (Routing/StickySessionRouter.cs) instead of
// Defuss:LoadBalancer; read before AddDefuss so that a misspelt name stops the start.
var router = ShowcaseRouting.RouterFrom(builder.Configuration);
if (!plain)
{
    builder.AddDefuss(options =>
    {
        if (router is not null)
        {
            options.UseRouter(router);
        }

        // Showcase:HttpsCertificate=cert.pfx makes every worker serve HTTPS (and HTTP/2 by ALPN) on its endpoint.
        options.UseHttpsFrom(builder.Configuration);
    });
}

// Kestrel:Limits (MaxConcurrentConnections, ...) from the command line or appsettings.json apply to every worker's Kestrel, as
// to a plain Kestrel app's: ASP.NET Core binds them only when the app asks, and Defuss keeps what the app binds.
builder.Services.Configure<KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));

builder.AddShowcaseLogging();
builder.AddShowcaseJson();
builder.Services.AddSingleton(TimeProvider.System);

var app = builder.Build();

// Showcase:FailWorkerStartup=true makes every worker fail before it serves: how a broken deployment looks to the
// primary (the tests check that it gives up after Defuss:StartupTimeout and quotes this line).
if (app.Configuration.GetValue<bool>("Showcase:FailWorkerStartup") && Environment.GetEnvironmentVariable("DEFUSS_ROLE") == "worker")
{
    Console.Error.WriteLine("Showcase: simulated startup failure (Showcase:FailWorkerStartup=true)");
    Environment.Exit(3);
}

// Showcase:HangWorkerStartup=true makes every worker hang before it serves (and before its control channel opens): such
// a worker must still not outlive its primary (the tests kill the primary and check).
if (app.Configuration.GetValue<bool>("Showcase:HangWorkerStartup") && Environment.GetEnvironmentVariable("DEFUSS_ROLE") == "worker")
{
    Console.Error.WriteLine("Showcase: simulated hang at startup (Showcase:HangWorkerStartup=true)");
    Thread.Sleep(Timeout.Infinite);
}
app.UseWebSockets();
app.MapBasicEndpoints();
app.MapUploadEndpoints();
app.MapStreamingEndpoints();
app.MapWebSocketEndpoints();
app.MapJsonEndpoints();
app.MapFileEndpoints();
app.MapCrashEndpoints();
app.MapChaosEndpoints();

if (plain)
{
    await app.RunAsync();
}
else
{
    await app.RunDefussAsync();
}
