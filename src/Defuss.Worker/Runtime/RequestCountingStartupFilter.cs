using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Defuss.Worker.Runtime;

/// <summary>Puts the in-flight request counter in front of the app's whole pipeline, before any middleware of the app's own.</summary>
internal sealed class RequestCountingStartupFilter(WorkerActivity activity) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(CountAsync);
        next(app);
    };

    private async Task CountAsync(HttpContext context, RequestDelegate next)
    {
        activity.RequestStarted();
        try
        {
            await next(context);
        }
        finally
        {
            activity.RequestEnded();
        }
    }
}
