using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Defuss.Actors.Routing;
using Defuss.Worker.Protocol;
using Defuss.Worker.Runtime.Handoff;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A worker's real handoff listener in the test process, serving each connection it receives with a tiny HTTP answer
/// that names the worker, the client address it sees and the request line it read; disposing each connection reports
/// its end, as Kestrel's disposal does. <see cref="Serving"/> false leaves connections queued, as in a worker that has not accepted them yet.
/// </summary>
internal sealed class HandoffTestWorker : IAsyncDisposable
{
    public static readonly byte[] Secret = Encoding.ASCII.GetBytes("handoff-test-secret");

    private readonly HandoffConnectionListener _listener;
    private readonly string _name;
    private Task _serving = Task.CompletedTask;

    private HandoffTestWorker(HandoffConnectionListener listener, string name)
    {
        _listener = listener;
        _name = name;
    }

    public HandoffEndPoint EndPoint => (HandoffEndPoint)_listener.EndPoint;

    public AsyncCounter Served { get; } = new();

    /// <summary>The handoff channels the listener reads now.</summary>
    public int OpenChannels => _listener.OpenChannels;

    /// <summary>Binds a listener at <paramref name="path"/>; it serves at once unless <paramref name="serve"/> is false.</summary>
    public static HandoffTestWorker Start(string path, string name, ILoggerFactory loggerFactory, bool serve = true)
    {
        var listener = HandoffConnectionListener.Bind(new HandoffEndPoint(path), Secret, HandoffTransportFactory.ConnectionOptions(null), loggerFactory);
        var worker = new HandoffTestWorker(listener, name);
        if (serve)
        {
            worker.Serve();
        }

        return worker;
    }

    /// <summary>A router's candidate for this worker, with its secret.</summary>
    public BackendCandidate Candidate(int index) =>
        FakeBackendSelector.Candidate(EndPoint, index) with { Secret = Secret };

    public void Serve() => _serving = Task.Run(ServeAsync);

    /// <summary>What Kestrel does when the worker begins to stop.</summary>
    public ValueTask UnbindAsync() => _listener.UnbindAsync();

    public async ValueTask DisposeAsync()
    {
        // Unbinding completes the accept queue, so the serve loop ends by itself: a loop that does not is a failure.
        await _listener.UnbindAsync();
        await _serving.WaitAsync(TestTimeouts.Default);
        await _listener.DisposeAsync();
    }

    private async Task ServeAsync()
    {
        var connections = new List<Task>();
        while (await _listener.AcceptAsync() is { } connection)
        {
            connections.Add(AnswerAsync(connection));
        }

        await Task.WhenAll(connections);
    }

    private async Task AnswerAsync(ConnectionContext connection)
    {
        try
        {
            var requestLine = await ReadHeadAsync(connection.Transport.Input);
            var body = Encoding.ASCII.GetBytes($"{_name} {connection.RemoteEndPoint} {requestLine}");
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await connection.Transport.Output.WriteAsync(head);
            await connection.Transport.Output.WriteAsync(body);
            await connection.Transport.Output.CompleteAsync();
            await connection.Transport.Input.CompleteAsync();
        }
        finally
        {
            await connection.DisposeAsync();
            Served.Increment();
        }
    }

    private static async Task<string> ReadHeadAsync(PipeReader input)
    {
        while (true)
        {
            var result = await input.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default);
            var text = Encoding.ASCII.GetString(result.Buffer.ToArray());
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal) || result.IsCompleted)
            {
                input.AdvanceTo(result.Buffer.End);
                var line = text.IndexOf("\r\n", StringComparison.Ordinal);
                return line >= 0 ? text[..line] : text;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
