using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// Concurrent loops that GET one path until stopped, counting successes and failures. In keep-alive mode each loop
/// holds one <see cref="HttpClient"/> (one connection) and replaces it after a failure, so that "the connection a
/// loop is on" means something; otherwise every request opens a new connection. Always ends: at
/// <see cref="StopAsync"/> or at the hard deadline, whichever comes first.
/// </summary>
internal sealed class LoadGenerator : IAsyncDisposable
{
    /// <summary>How many failure messages are kept, overall, for a test's diagnostics.</summary>
    public const int KeptFailureMessages = 10;

    private readonly Uri _baseAddress;
    private readonly string _path;
    private readonly bool _keepAlive;
    private readonly TimeSpan _requestTimeout;
    private readonly CancellationTokenSource _stop;
    private readonly Lock _gate = new();
    private readonly List<string> _failureMessages = [];
    private readonly List<(Func<LoadGenerator, bool> Condition, TaskCompletionSource Reached)> _waiters = [];
    private readonly Task[] _loops;
    private long _successes;
    private long _failures;

    private LoadGenerator(Uri baseAddress, string path, int loops, bool keepAlive, TimeSpan deadline, TimeSpan requestTimeout)
    {
        if (!IPAddress.TryParse(baseAddress.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"Load is only sent to a loopback address, not to {baseAddress}.", nameof(baseAddress));
        }

        _baseAddress = baseAddress;
        _path = path;
        _keepAlive = keepAlive;
        _requestTimeout = requestTimeout;
        _stop = new CancellationTokenSource(deadline);
        Loops = Enumerable.Range(0, loops).Select(i => new LoadLoop(i)).ToArray();
        _loops = Loops.Select(loop => Task.Run(() => RunLoopAsync(loop))).ToArray();
    }

    public long Successes => Interlocked.Read(ref _successes);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The first <see cref="KeptFailureMessages"/> failures, each with its loop and when it happened.</summary>
    public IReadOnlyList<string> FailureMessages
    {
        get
        {
            lock (_gate)
            {
                return [.. _failureMessages];
            }
        }
    }

    public IReadOnlyList<LoadLoop> Loops { get; }

    /// <summary>Whether the hard deadline, rather than <see cref="StopAsync"/>, ended the load.</summary>
    public bool DeadlineReached { get; private set; }

    /// <summary>A time on the same clock as <see cref="LoadClient"/> and <see cref="LoadFailure"/> times.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    /// <summary>Starts <paramref name="loops"/> loops that GET <paramref name="path"/> until stopped or until <paramref name="deadline"/>.</summary>
    public static LoadGenerator Start(Uri baseAddress, string path, int loops = 8, bool keepAlive = true, TimeSpan? deadline = null, TimeSpan? requestTimeout = null) =>
        new(baseAddress, path, loops, keepAlive, deadline ?? TimeSpan.FromSeconds(60), requestTimeout ?? TestTimeouts.Default);

    /// <summary>Waits until <paramref name="count"/> requests in all have succeeded since the start.</summary>
    public Task WaitForSuccessesAsync(long count, TimeSpan timeout) =>
        WaitUntilAsync(load => load.Successes >= count, $"{count} requests have succeeded", timeout);

    /// <summary>Waits until every loop has had <paramref name="count"/> successes on the client it is using now.</summary>
    public Task WaitForEveryLoopAsync(int count, TimeSpan timeout) =>
        WaitUntilAsync(load => load.Loops.All(l => l.Clients is [.., var last] && last.Successes >= count), $"every loop's client has {count} successes", timeout);

    /// <summary>Waits until <paramref name="condition"/> holds, looking again after each success.</summary>
    public async Task WaitUntilAsync(Func<LoadGenerator, bool> condition, string what, TimeSpan timeout)
    {
        TaskCompletionSource reached;
        lock (_gate)
        {
            if (condition(this))
            {
                return;
            }

            reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, reached));
        }

        try
        {
            await reached.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"Timed out after {timeout} waiting until {what}: {Successes} requests succeeded, {Failures} failed; first failures: {string.Join(" | ", FailureMessages)}");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Reached == reached);
            }
        }
    }

    /// <summary>Stops every loop; a request that the stop interrupts is neither a success nor a failure.</summary>
    public async Task StopAsync()
    {
        DeadlineReached = _stop.IsCancellationRequested;
        await _stop.CancelAsync();
        await Task.WhenAll(_loops).WaitAsync(_requestTimeout + TimeSpan.FromSeconds(5));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private async Task RunLoopAsync(LoadLoop loop)
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var client = loop.NewClient();
            using var http = CreateHttpClient(client);
            while (!token.IsCancellationRequested)
            {
                if (!await SendOneAsync(loop, client, http, token))
                {
                    break;
                }
            }
        }
    }

    /// <summary>Sends one request; false when it failed, so that the loop continues on a new client.</summary>
    private async Task<bool> SendOneAsync(LoadLoop loop, LoadClient client, HttpClient http, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_requestTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _path);
            request.Headers.ConnectionClose = !_keepAlive;
            using var response = await http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                RecordFailure(loop, client, $"HTTP {(int)response.StatusCode}: {body}");
                return false;
            }

            client.RecordSuccess(body, Now());
            RecordSuccess();
            return true;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or SocketException or OperationCanceledException)
        {
            RecordFailure(loop, client, exception is OperationCanceledException ? $"no response within {_requestTimeout}" : Describe(exception));
            return false;
        }
    }

    private HttpClient CreateHttpClient(LoadClient client)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            PooledConnectionLifetime = _keepAlive ? Timeout.InfiniteTimeSpan : TimeSpan.Zero,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                client.RecordConnection();
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = _baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    private void RecordSuccess()
    {
        Interlocked.Increment(ref _successes);
        List<TaskCompletionSource> reached = [];
        lock (_gate)
        {
            _waiters.RemoveAll(w =>
            {
                if (!w.Condition(this))
                {
                    return false;
                }

                reached.Add(w.Reached);
                return true;
            });
        }

        reached.ForEach(r => r.TrySetResult());
    }

    private void RecordFailure(LoadLoop loop, LoadClient client, string message)
    {
        var at = Now();
        client.RecordFailure(new LoadFailure(at, message));
        Interlocked.Increment(ref _failures);
        lock (_gate)
        {
            if (_failureMessages.Count < KeptFailureMessages)
            {
                _failureMessages.Add($"loop {loop.Index}, client {client.Number}, connection {client.Connections}: {message}");
            }
        }
    }

    private static string Describe(Exception exception)
    {
        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            messages.Add($"{e.GetType().Name}: {e.Message}");
        }

        return string.Join(" -> ", messages);
    }
}
