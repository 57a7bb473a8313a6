using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Defuss.Cli.Admin;

/// <summary>
/// The admin API of one primary, over its private Unix socket or over TCP. Each call has a deadline of its own and
/// turns every failure into an <see cref="AdminException"/> that names where it went.
/// </summary>
internal sealed partial class AdminClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    private AdminClient(HttpMessageHandler handler, Uri baseAddress, string target, int? pid, string? token, TimeSpan requestTimeout, TimeProvider time)
    {
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (token is { Length: > 0 })
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        Target = target;
        Pid = pid;
        RequestTimeout = requestTimeout;
        _time = time;
    }

    /// <summary>Where requests go, for messages: <c>primary 4242 (/run/user/1000/defuss/primary-4242.sock)</c> or a URL.</summary>
    public string Target { get; }

    /// <summary>The primary's pid as its socket's name says, or null for a TCP endpoint.</summary>
    public int? Pid { get; }

    /// <summary>The deadline of a request that should answer at once (status, the start of a log stream).</summary>
    public TimeSpan RequestTimeout { get; }

    public static AdminClient ForSocket(string socketPath, int? pid, string? token, TimeSpan requestTimeout, TimeProvider time)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var target = pid is { } p ? $"primary {p} ({socketPath})" : socketPath;
        return new AdminClient(handler, new Uri("http://localhost/"), target, pid, token, requestTimeout, time);
    }

    public static AdminClient ForUrl(Uri url, string? token, TimeSpan requestTimeout, TimeProvider time)
    {
        var baseAddress = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        var handler = new SocketsHttpHandler { ConnectTimeout = requestTimeout };
        return new AdminClient(handler, baseAddress, baseAddress.AbsoluteUri, pid: null, token, requestTimeout, time);
    }

    public async Task<PrimaryStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        using var deadline = Deadline(RequestTimeout, cancellationToken);
        try
        {
            using var response = await SendAsync(HttpMethod.Get, "status", HttpCompletionOption.ResponseContentRead, RequestTimeout, deadline.Token, cancellationToken);
            await EnsureSuccessAsync(response, deadline.Token);
            return await response.Content.ReadFromJsonAsync<PrimaryStatus>(AdminJson.Options, deadline.Token)
                ?? throw new AdminException($"{Target}: /status answered null");
        }
        catch (JsonException e)
        {
            throw new AdminException($"{Target}: /status is not the status JSON the tool knows ({e.Message})", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw NoAnswer(RequestTimeout, e);
        }
    }

    /// <summary>Asks for a rolling restart and waits for it; answers how many workers were replaced.</summary>
    public async Task<int> ReloadAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        (await PostAsync<ReloadResult>("reload", "{\"replaced\":N}", timeout, cancellationToken))?.Replaced ?? 0;

    /// <summary>Asks for the pool to be resized to <paramref name="workers"/> and waits until that many are Ready; answers the size.</summary>
    public async Task<int> ScaleAsync(int workers, TimeSpan timeout, CancellationToken cancellationToken) =>
        (await PostAsync<ScaleResult>(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"scale?workers={workers}"), "{\"workers\":N}", timeout, cancellationToken))?.Workers
        ?? throw new AdminException($"{Target}: /scale answered null");

    /// <summary>
    /// Asks the primary to hand over to a new primary and waits until the new one accepts; answers the new primary's pid
    /// and how many of its workers were Ready. A refused or failed hand-over is an <see cref="AdminException"/> with why.
    /// </summary>
    public async Task<UpgradeResult> UpgradeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await PostAsync<UpgradeResult>("upgrade", "{\"pid\":N,\"successorPid\":N,\"readyWorkers\":N}", timeout, cancellationToken)
        ?? throw new AdminException($"{Target}: /upgrade answered null");

    /// <summary>Posts to <paramref name="path"/> and reads its JSON answer, which has the <paramref name="shape"/> given for messages.</summary>
    private async Task<T?> PostAsync<T>(string path, string shape, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(timeout, cancellationToken);
        try
        {
            using var response = await SendAsync(HttpMethod.Post, path, HttpCompletionOption.ResponseContentRead, timeout, deadline.Token, cancellationToken);
            await EnsureSuccessAsync(response, deadline.Token);
            return await response.Content.ReadFromJsonAsync<T>(AdminJson.Options, deadline.Token);
        }
        catch (JsonException e)
        {
            throw new AdminException($"{Target}: /{path.Split('?')[0]} did not answer {shape} ({e.Message})", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw NoAnswer(timeout, e);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpCompletionOption completion, TimeSpan timeout, CancellationToken deadline, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        try
        {
            return await _http.SendAsync(request, completion, deadline);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw NoAnswer(timeout, e);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var path = response.RequestMessage?.RequestUri?.AbsolutePath ?? "";
        var code = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new AdminException(
                $"{Target}: {code}: the admin endpoint needs a token (--token, or the DEFUSS_ADMIN_TOKEN environment variable)"
                + (_http.DefaultRequestHeaders.Authorization is null ? "" : "; the one given was not accepted")),
            HttpStatusCode.Forbidden => new AdminException($"{Target}: {code}: the admin endpoint refuses this client"),
            _ => new AdminException($"{Target}: {path} answered {code}{await ErrorTextAsync(response, cancellationToken)}"),
        };
    }

    private static async Task<string> ErrorTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        if (body.Length == 0)
        {
            return "";
        }

        try
        {
            var error = JsonSerializer.Deserialize<ErrorResult>(body, AdminJson.Options);
            return error?.Error is { Length: > 0 } text ? ": " + text : ": " + body;
        }
        catch (JsonException)
        {
            return ": " + (body.Length > 200 ? body[..200] + "…" : body);
        }
    }

    private Deadline Deadline(TimeSpan timeout, CancellationToken cancellationToken) => new(timeout, _time, cancellationToken);

    private AdminException NoAnswer(TimeSpan timeout, Exception inner) =>
        new($"{Target}: no answer within {Rendering.Units.Duration(timeout.TotalSeconds)}", gone: false, inner);

    private AdminException Unreachable(HttpRequestException e)
    {
        var socketError = (e.InnerException as SocketException)?.SocketErrorCode;
        var gone = Pid is not null && e.HttpRequestError is HttpRequestError.ConnectionError
            || e.HttpRequestError is HttpRequestError.ResponseEnded;
        var why = socketError switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported => "the socket file is gone",
            SocketError.TimedOut => "connection timed out",
            _ when e.HttpRequestError is HttpRequestError.ResponseEnded => "the connection closed before an answer",
            _ => e.InnerException?.Message ?? e.Message,
        };
        return new AdminException($"{Target}: {why}", gone, e);
    }

    private sealed record ReloadResult(int Replaced);

    private sealed record ScaleResult(int Workers);

    /// <summary>What <c>POST /upgrade</c> answers: the old primary, the new one, and the new one's Ready workers.</summary>
    internal sealed record UpgradeResult(int Pid, int SuccessorPid, int ReadyWorkers);

    private sealed record ErrorResult(string? Error);
}
