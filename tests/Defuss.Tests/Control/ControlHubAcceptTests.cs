using System.Net.Sockets;
using System.Threading.Channels;
using Akka.Actor;
using Defuss.Control;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Control;

/// <summary>The control hub's accept loop when accepting fails (EMFILE): it backs off, and logs at a bounded rate.</summary>
public sealed class ControlHubAcceptTests : IAsyncLifetime, IDisposable
{
    private readonly ShortTempDirectory _directory = new();
    private readonly ListLoggerProvider _logs = new();
    private readonly ManualTimeProvider _time = new();
    private readonly Channel<TaskCompletionSource<Socket>> _accepts = Channel.CreateUnbounded<TaskCompletionSource<Socket>>();
    private readonly ControlHub _hub;

    public ControlHubAcceptTests() =>
        _hub = new ControlHub(ActorRefs.Nobody, _directory.PathOf("control.sock"), _logs.CreateLogger("Defuss"), timeProvider: _time, accept: AcceptAsync);

    public Task InitializeAsync()
    {
        _hub.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);

    public void Dispose()
    {
        _logs.Dispose();
        _directory.Dispose();
    }

    /// <summary>Each accept waits for the test to say how it ends.</summary>
    private ValueTask<Socket> AcceptAsync(Socket listener, CancellationToken cancellationToken)
    {
        var outcome = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        cancellationToken.Register(() => outcome.TrySetCanceled(cancellationToken));
        _accepts.Writer.TryWrite(outcome);
        return new ValueTask<Socket>(outcome.Task);
    }

    private async Task FailNextAcceptAsync() =>
        (await _accepts.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default)).SetException(new SocketException((int)SocketError.TooManyOpenSockets));

    private async Task<TimeSpan> DelayBeforeTheNextAcceptAsync()
    {
        await Eventually.TrueAsync(() => _time.ActiveTimers == 1, "the loop waits before it accepts again");
        var waited = TimeSpan.Zero;
        while (!_accepts.Reader.TryPeek(out _))
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            waited += TimeSpan.FromMilliseconds(1);
            await Eventually.TrueAsync(() => _time.ActiveTimers == 1 || _accepts.Reader.TryPeek(out _), "the loop either still waits or accepts");
        }

        return waited;
    }

    [Fact]
    public async Task AcceptFailing_BacksOffDoublingUpToOneSecond()
    {
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 9; i++)
        {
            await FailNextAcceptAsync();
            delays.Add(await DelayBeforeTheNextAcceptAsync());
        }

        delays.Select(d => (int)d.TotalMilliseconds).Should().Equal(10, 20, 40, 80, 160, 320, 640, 1000, 1000);
    }

    [Fact]
    public async Task AcceptFailing_LogsTheFirstFailureThenAtMostOneLineEveryFiveSeconds()
    {
        for (var i = 0; i < 12; i++)
        {
            await FailNextAcceptAsync();
            await DelayBeforeTheNextAcceptAsync();
        }

        // The 12th failure comes 10 + 20 + ... + 640 + 3 x 1000 ms = 5.27 s after the first: the first line, and that one.
        var lines = _logs.Entries.Where(e => e.EventId.Id == HostEventIds.ControlAcceptFailed).Select(e => e.Message).ToList();
        lines.Should().Equal(
            "Accepting a control connection failed (TooManyOpenSockets, 1 in a row); accepting again in 10 ms",
            "Accepting a control connection failed (TooManyOpenSockets, 12 in a row); accepting again in 1000 ms");
    }

    [Fact]
    public async Task AcceptSucceedsAgain_TheNextFailureStartsFromTenMilliseconds()
    {
        for (var i = 0; i < 4; i++)
        {
            await FailNextAcceptAsync();
            await DelayBeforeTheNextAcceptAsync();
        }

        var (client, server) = await ConnectedPairAsync();
        using (client)
        {
            (await _accepts.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default)).SetResult(server);
            await FailNextAcceptAsync();

            (await DelayBeforeTheNextAcceptAsync()).Should().Be(TimeSpan.FromMilliseconds(10));
        }
    }

    private static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(TestTimeouts.Default);
        return (client, await listener.AcceptAsync().WaitAsync(TestTimeouts.Default));
    }
}
