using System.Diagnostics;
using System.Net;

namespace Defuss.Bench.Load.Processes;

/// <summary>Waits for a server to answer <c>200</c>, each attempt on a new connection, until a deadline.</summary>
internal static class HttpProbe
{
    /// <summary>How long a server has to answer its first 200 after it was started.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The pause between two attempts: a refused connection is the only news of a server that is not up yet.</summary>
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(5);

    private static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>Asks <paramref name="url"/> until it answers 200; how long that took. Fails early when <paramref name="process"/> exits.</summary>
    public static async Task<TimeSpan> WaitForOkAsync(Uri url, ChildProcess process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        using var tick = new PeriodicTimer(RetryInterval);
        var last = "no answer yet";
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited before {url} answered 200:\n{process.OutputTail}");
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.ConnectionClose = true;
            try
            {
                using var response = await Client.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return elapsed.Elapsed;
                }

                last = $"status {(int)response.StatusCode}";
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "no answer within 5 s";
            }

            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException($"{url} did not answer 200 within {timeout.TotalSeconds:0} s (last: {last}):\n{process.OutputTail}");
            }

            await tick.WaitForNextTickAsync(cancellationToken);
        }
    }
}
