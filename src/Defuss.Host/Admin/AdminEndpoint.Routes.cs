using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Defuss.Hosting;
using Defuss.Worker.Resilience;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Defuss.Admin;

internal sealed partial class AdminEndpoint
{
    /// <summary>The most lines <c>/logs</c> gives per worker: what the primary keeps of each.</summary>
    private const int MaxTailLines = Processes.WorkerLogBook.LinesPerWorker;

    private static void Map(WebApplication app, AdminSettings settings, DefussControl control, Func<CancellationToken, Task<bool>> healthy, MeterProvider meters, ILogger logger)
    {
        var refusals = new LogThrottle(TimeProvider.System, LogThrottle.DefaultInterval);
        var expected = settings.Token is null ? null : Encoding.UTF8.GetBytes("Bearer " + settings.Token);
        app.Use(async (context, next) =>
        {
            if (Refusal(context, expected) is { } refusal)
            {
                if (refusals.TryEnter(out _))
                {
                    AdminLog.Refused(logger, context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress?.ToString(), refusal.Reason);
                }

                context.Response.StatusCode = refusal.Status;
                if (refusal.Status == StatusCodes.Status401Unauthorized)
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                }

                await WriteErrorAsync(context, refusal.Reason);
                return;
            }

            context.Response.Headers.CacheControl = "no-store";
            await next(context);
        });

        app.MapGet("/", context =>
        {
            context.Response.ContentType = StatusPage.ContentType;
            return context.Response.Body.WriteAsync(StatusPage.Html, context.RequestAborted).AsTask();
        });
        app.MapGet("/status", context =>
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            return JsonSerializer.SerializeAsync(context.Response.Body, control.GetStatus(), AdminJsonContext.Default.DefussStatus, context.RequestAborted);
        });
        app.MapGet("/healthz", async context =>
        {
            var alive = await healthy(context.RequestAborted);
            context.Response.StatusCode = alive ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync(alive ? "ok\n" : "the primary's actor system does not answer\n", context.RequestAborted);
        });
        app.MapGet("/readyz", context =>
        {
            var ready = control.Board.ReadyWorkers;
            var enough = ready >= settings.MinReadyWorkers;
            context.Response.StatusCode = enough ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return context.Response.WriteAsync(
                string.Create(CultureInfo.InvariantCulture, $"{(enough ? "ready" : "not ready")}: {ready} worker(s) ready, Defuss:MinReadyWorkers is {settings.MinReadyWorkers}\n"),
                context.RequestAborted);
        });
        var reloading = 0;
        app.MapPost("/reload", async context =>
        {
            if (Interlocked.Exchange(ref reloading, 1) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status409Conflict;
                await WriteErrorAsync(context, "a rolling restart asked for through the admin endpoint is already under way");
                return;
            }

            try
            {
                AdminLog.Reload(logger);
                var replaced = await control.RollingRestartAsync(context.RequestAborted);
                context.Response.ContentType = "application/json; charset=utf-8";
                await JsonSerializer.SerializeAsync(context.Response.Body, new ReloadResult(replaced), AdminJsonContext.Default.ReloadResult, context.RequestAborted);
            }
            catch (Exception exception) when (exception is AskTimeoutException or InvalidOperationException)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await WriteErrorAsync(context, "the rolling restart did not complete: " + exception.Message);
            }
            finally
            {
                Volatile.Write(ref reloading, 0);
            }
        });
        app.MapPost("/scale", context => ScaleAsync(context, control, logger));
        app.MapPost("/upgrade", async context =>
        {
            AdminLog.Upgrade(logger);
            var result = await control.UpgradeAsync("POST /upgrade");
            if (result.Succeeded)
            {
                context.Response.ContentType = "application/json; charset=utf-8";
                await JsonSerializer.SerializeAsync(
                    context.Response.Body, new UpgradeAnswer(Environment.ProcessId, result.SuccessorPid, result.ReadyWorkers), AdminJsonContext.Default.UpgradeAnswer, context.RequestAborted);
                return;
            }

            // Refused (one already under way, not listening yet, a bad environment file): nothing was started.
            context.Response.StatusCode = result.Refused ? StatusCodes.Status409Conflict : StatusCodes.Status500InternalServerError;
            await WriteErrorAsync(context, result.Refused
                ? "the hand-over was refused: " + result.Failure
                : $"the new primary{(result.SuccessorPid > 0 ? $" (pid {result.SuccessorPid})" : "")} did not take over, and this primary serves on: {result.Failure}");
        });
        app.MapGet("/logs", context => WriteLogsAsync(context, control, app.Lifetime));
        app.MapPrometheusScrapingEndpoint("/metrics", meters, null, null);
    }

    /// <summary>
    /// Why a request is refused, if it is: the local socket is private to the user already, and the probes (<c>/healthz</c>,
    /// <c>/readyz</c>) say nothing but up or not, to a kubelet or a load balancer that carries no token; over TCP, the rest
    /// needs the token once one is set, else a loopback client.
    /// </summary>
    internal static (int Status, string Reason)? Refusal(HttpContext context, byte[]? expected)
    {
        var client = context.Connection.RemoteIpAddress;
        if (client is null || (HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Value is "/healthz" or "/readyz"))
        {
            return null;
        }

        if (expected is not null)
        {
            var presented = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
            return CryptographicOperations.FixedTimeEquals(presented, expected)
                ? null
                : (StatusCodes.Status401Unauthorized, "missing or wrong 'Authorization: Bearer <Defuss:AdminToken>'");
        }

        return System.Net.IPAddress.IsLoopback(client)
            ? null
            : (StatusCodes.Status403Forbidden, "the admin endpoint answers loopback clients only, unless Defuss:AdminToken is set");
    }

    private static async Task ScaleAsync(HttpContext context, DefussControl control, ILogger logger)
    {
        var text = context.Request.Query["workers"];
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var workers))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await WriteErrorAsync(context, $"workers = '{text}' is invalid: expected a whole number");
            return;
        }

        try
        {
            AdminLog.Scale(logger, workers);
            var size = await control.ScaleAsync(workers, context.RequestAborted);
            context.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(context.Response.Body, new ScaleResult(size), AdminJsonContext.Default.ScaleResult, context.RequestAborted);
        }
        catch (ArgumentOutOfRangeException exception)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await WriteErrorAsync(context, BareMessage(exception));
        }
        catch (Exception exception) when (exception is AskTimeoutException or InvalidOperationException)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await WriteErrorAsync(context, "the pool was not resized: " + exception.Message);
        }
    }

    /// <summary>
    /// The reason alone, without the "(Parameter 'workers')" and "Actual value was N." that
    /// <see cref="ArgumentOutOfRangeException.Message"/> appends: the answer names the value already.
    /// </summary>
    internal static string BareMessage(ArgumentException exception)
    {
        var message = exception.Message.Split('\n', 2)[0].TrimEnd('\r');
        var suffix = $" (Parameter '{exception.ParamName}')";
        return exception.ParamName is not null && message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }

    private static async Task WriteLogsAsync(HttpContext context, DefussControl control, IHostApplicationLifetime lifetime)
    {
        var query = context.Request.Query;
        int? worker = null;
        if (query.TryGetValue("worker", out var workerText))
        {
            if (!int.TryParse(workerText, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await WriteErrorAsync(context, $"worker = '{workerText}' is invalid: expected a worker index (0 or more)");
                return;
            }

            worker = index;
        }

        var lines = 20;
        if (query.TryGetValue("lines", out var linesText)
            && (!int.TryParse(linesText, NumberStyles.None, CultureInfo.InvariantCulture, out lines) || lines > MaxTailLines))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await WriteErrorAsync(context, $"lines = '{linesText}' is invalid: expected 0 to {MaxTailLines}");
            return;
        }

        var follow = query.TryGetValue("follow", out var followText) && bool.TryParse(followText, out var yes) && yes;
        context.Response.ContentType = "application/x-ndjson; charset=utf-8";
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var source = follow ? control.Logs.FollowAsync(worker, lines, ended.Token) : ToAsync(control.Logs.Tail(worker, lines));
        try
        {
            await foreach (var line in source)
            {
                await JsonSerializer.SerializeAsync(context.Response.Body, new AdminLogLine(line.Time, line.Worker, line.Pid, line.Stream, line.Text), AdminJsonContext.Default.AdminLogLine, ended.Token);
                await context.Response.Body.WriteAsync("\n"u8.ToArray(), ended.Token);
                if (follow)
                {
                    await context.Response.Body.FlushAsync(ended.Token);
                }
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The client left, or the primary is stopping: the stream simply ends.
        }
    }

    private static async IAsyncEnumerable<T> ToAsync<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            yield return item;
        }

        await Task.CompletedTask;
    }

    private static Task WriteErrorAsync(HttpContext context, string error)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, new AdminError(error), AdminJsonContext.Default.AdminError, context.RequestAborted);
    }
}
