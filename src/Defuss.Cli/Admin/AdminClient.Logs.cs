using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Defuss.Cli.Admin;

internal sealed partial class AdminClient
{
    /// <summary>
    /// Streams <c>GET /logs</c>: the last <paramref name="lines"/> kept lines of each worker (or of one), oldest first,
    /// then, with <paramref name="follow"/>, new lines until the primary ends the stream or the caller cancels. A line
    /// that is not the JSON of a log line comes back whole as its text, with worker -1.
    /// </summary>
    public async IAsyncEnumerable<LogLine> GetLogsAsync(int? worker, int? lines, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await OpenLogsAsync(LogsQuery(worker, lines, follow), cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await ReadLineAsync(reader, follow, cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                yield return Parse(line);
            }
        }
    }

    private static string LogsQuery(int? worker, int? lines, bool follow)
    {
        var query = new List<string>();
        if (worker is { } w)
        {
            query.Add("worker=" + w.ToString(CultureInfo.InvariantCulture));
        }

        if (lines is { } l)
        {
            query.Add("lines=" + l.ToString(CultureInfo.InvariantCulture));
        }

        if (follow)
        {
            query.Add("follow=true");
        }

        return query.Count == 0 ? "logs" : "logs?" + string.Join('&', query);
    }

    private async Task<HttpResponseMessage> OpenLogsAsync(string path, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(RequestTimeout, cancellationToken);
        var response = await SendAsync(HttpMethod.Get, path, HttpCompletionOption.ResponseHeadersRead, RequestTimeout, deadline.Token, cancellationToken);
        try
        {
            await EnsureSuccessAsync(response, deadline.Token);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>One line, or null at the end; without follow, the primary must send each line within the request deadline.</summary>
    private async Task<string?> ReadLineAsync(StreamReader reader, bool follow, CancellationToken cancellationToken)
    {
        var timeout = follow ? Timeout.InfiniteTimeSpan : RequestTimeout;
        using var deadline = Deadline(timeout, cancellationToken);
        try
        {
            return await reader.ReadLineAsync(deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw NoAnswer(timeout, e);
        }
        catch (IOException e)
        {
            throw new AdminException($"{Target}: the log stream was cut ({e.Message})", gone: true, e);
        }
    }

    private static LogLine Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<LogLine>(line, AdminJson.Options) ?? new LogLine { Worker = -1, Text = line };
        }
        catch (JsonException)
        {
            return new LogLine { Worker = -1, Text = line };
        }
    }
}
