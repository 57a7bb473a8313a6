using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Defuss.Tests.TestSupport;

/// <summary>A <c>GET /slow</c> endpoint that holds each request until the test releases it, so a request stays in flight.</summary>
internal sealed class RequestGate(string response = "slow")
{
    /// <summary>Completes when a request has entered the endpoint.</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Complete it to let the requests answer.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Map(WebApplication app) => app.MapGet("/slow", async () =>
    {
        Entered.TrySetResult();
        await Release.Task;
        return response;
    });
}
