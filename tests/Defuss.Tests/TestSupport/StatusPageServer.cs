using System.Collections.Concurrent;
using System.Text.Json;
using Defuss.Admin;
using Defuss.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A small real Kestrel app on 127.0.0.1 and a port the OS picks that serves <see cref="StatusPage.Html"/> at
/// <c>{PathPrefix}/</c> and, at <c>{PathPrefix}/status</c>, whichever fixture the test set last: a
/// <see cref="DefussStatus"/> as the admin endpoint's JSON, or a failure. The prefix proves the page asks for a
/// relative URL, as it must to work behind one.
/// </summary>
internal sealed class StatusPageServer : IAsyncDisposable
{
    public const string PathPrefix = "/defuss-admin";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly WebApplication _app;
    private volatile Fixture _fixture;

    private StatusPageServer(WebApplication app, Fixture fixture)
    {
        _app = app;
        _fixture = fixture;
    }

    /// <summary>The page's address, under <see cref="PathPrefix"/>.</summary>
    public Uri PageAddress { get; private set; } = null!;

    /// <summary>The server's origin (scheme, host and port), which every request of the page must go to.</summary>
    public string Origin { get; private set; } = null!;

    /// <summary>Every path the server was asked for, in order.</summary>
    public ConcurrentQueue<string> RequestedPaths { get; } = new();

    public static async Task<StatusPageServer> StartAsync(DefussStatus initial)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new StatusPageServer(app, Fixture.Of(initial));
        app.Use((context, next) =>
        {
            server.RequestedPaths.Enqueue(context.Request.Path.Value ?? "");
            return next(context);
        });
        app.MapGet(PathPrefix + "/", async context =>
        {
            context.Response.ContentType = StatusPage.ContentType;
            await context.Response.Body.WriteAsync(StatusPage.Html);
        });
        app.MapGet(PathPrefix + "/status", server.ServeStatusAsync);
        await app.StartAsync().WaitAsync(TestTimeouts.Default);
        server.Origin = app.Urls.Single().TrimEnd('/');
        server.PageAddress = new Uri(server.Origin + PathPrefix + "/");
        return server;
    }

    /// <summary>From now on, <c>status</c> answers <paramref name="status"/>.</summary>
    public void Serve(DefussStatus status) => _fixture = Fixture.Of(status);

    /// <summary>From now on, <c>status</c> answers <paramref name="statusCode"/> with no document.</summary>
    public void Fail(int statusCode) => _fixture = new Fixture(statusCode, null);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TestTimeouts.Default);
        await _app.DisposeAsync();
    }

    private async Task ServeStatusAsync(HttpContext context)
    {
        var fixture = _fixture;
        context.Response.StatusCode = fixture.StatusCode;
        context.Response.Headers.CacheControl = "no-store";
        if (fixture.Body is { } body)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.Body.WriteAsync(body);
        }
    }

    private sealed record Fixture(int StatusCode, byte[]? Body)
    {
        public static Fixture Of(DefussStatus status) => new(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(status, Json));
    }
}
