using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Defuss.Actors.Routing;
using Defuss.FrontDoor;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.FrontDoor;

/// <remarks>
/// In the real-process collection: its meters are named <c>Defuss</c>, like the primary's that the OpenTelemetry test
/// exports, and OpenTelemetry listens to every meter of that name in the process.
/// </remarks>
[Collection(Defuss.Tests.Integration.ShowcaseCollection.Name)]
public sealed partial class LateHeadWaiterTests
{
    private const int MaxHeaderBytes = 16 * 1024;

    /// <summary>Long enough never to pass in a test: the head must complete for another reason.</summary>
    private static readonly TimeSpan FarDeadline = TimeSpan.FromMinutes(5);

    /// <summary>Short enough for the tests of expiry; what they await is the callback, never this span.</summary>
    private static readonly TimeSpan ShortDeadline = TimeSpan.FromMilliseconds(100);

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.Latin1.GetString(bytes.Span);

    /// <summary>The waiter's callbacks, by connection id, with the time each came and how many came.</summary>
    private sealed class Completions
    {
        private readonly ConcurrentDictionary<long, TaskCompletionSource<(SniffResult Result, long At)>> _results = new();
        private readonly ConcurrentDictionary<long, int> _calls = new();

        public void Complete(RawHead head, SniffResult result)
        {
            _calls.AddOrUpdate(head.Connection.Id, 1, (_, calls) => calls + 1);
            Source(head.Connection.Id).TrySetResult((result, TimeProvider.System.GetTimestamp()));
        }

        public Task<(SniffResult Result, long At)> Of(long id) => Source(id).Task.WaitAsync(TestTimeouts.Default);

        public bool Has(long id) => Source(id).Task.IsCompleted;

        public int Calls(long id) => _calls.GetValueOrDefault(id);

        private TaskCompletionSource<(SniffResult Result, long At)> Source(long id) =>
            _results.GetOrAdd(id, _ => new TaskCompletionSource<(SniffResult, long)>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>A head whose first piece (if any) has arrived and been read off, as the accept thread leaves it for the waiter.</summary>
    private static RawHead Started(RawLoopbackConnection connection, TimeSpan inspection, string? firstPiece = null, int maxHeaderBytes = MaxHeaderBytes)
    {
        var head = connection.Head(maxHeaderBytes, inspection);
        if (firstPiece is not null)
        {
            connection.Send(firstPiece);
            connection.WaitReadable();
        }

        head.Step(new byte[maxHeaderBytes]).Should().BeNull("the head is not whole yet");
        return head;
    }

    [Fact]
    public async Task Add_RestOfTheHeadArrivesInPieces_ReportsItWithEverythingReadAsThePrefix()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var completions = new Completions();
        using var waiter = new LateHeadWaiter(MaxHeaderBytes, TimeProvider.System, completions.Complete);
        var head = Started(connection, FarDeadline, "GET /late HTTP/1.1\r\n");

        waiter.Add(head);
        waiter.Waiting.Should().Be(1);
        connection.Send("Host: late.exa");
        await Eventually.TrueAsync(() => TestDescriptors.Pending(connection.Fd) == 0, "the waiter has read the second piece");
        completions.Has(1).Should().BeFalse("the head is still not whole");
        waiter.Waiting.Should().Be(1, "the waiter waits again after a piece that does not finish the head");
        connection.Send("mple\r\n\r\n");
        var (result, _) = await completions.Of(1);

        Text(result.Prefix).Should().Be("GET /late HTTP/1.1\r\nHost: late.example\r\n\r\n");
        result.Request.Host.Should().Be("late.example");
        result.ClientEof.Should().BeFalse();
        waiter.Waiting.Should().Be(0);
        completions.Calls(1).Should().Be(1);
    }

    [Fact]
    public async Task Add_GarbageArrives_RoutesAtOnce()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var completions = new Completions();
        using var waiter = new LateHeadWaiter(MaxHeaderBytes, TimeProvider.System, completions.Complete);
        waiter.Add(Started(connection, FarDeadline, "GE"));

        connection.Send([0x00, 0xFF, 0x16]);
        var (result, _) = await completions.Of(1);

        result.Request.Protocol.Should().Be(RequestProtocol.Unknown);
        result.Prefix.ToArray().Should().Equal((byte)'G', (byte)'E', 0x00, 0xFF, 0x16);
        waiter.Waiting.Should().Be(0);
    }

    [Fact]
    public async Task Add_ClientClosesBeforeSending_ReportsGone()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var completions = new Completions();
        using var waiter = new LateHeadWaiter(MaxHeaderBytes, TimeProvider.System, completions.Complete);
        waiter.Add(Started(connection, FarDeadline));

        connection.Client.Shutdown(SocketShutdown.Both);
        var (result, _) = await completions.Of(1);

        result.ClientGone.Should().BeTrue();
        waiter.Waiting.Should().Be(0);
    }

    [Fact]
    public async Task Add_NothingArrives_ReportsSilentOnceTheDeadlinePassed()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var completions = new Completions();
        using var waiter = new LateHeadWaiter(MaxHeaderBytes, TimeProvider.System, completions.Complete);
        var head = Started(connection, ShortDeadline);

        waiter.Add(head);
        var (result, at) = await completions.Of(1);

        at.Should().BeGreaterThanOrEqualTo(head.Deadline, "a head is not given up before its deadline");
        result.Prefix.IsEmpty.Should().BeTrue();
        result.ClientEof.Should().BeFalse();
        result.Request.Protocol.Should().Be(RequestProtocol.Unknown);
        result.Request.RawHead.IsEmpty.Should().BeTrue();
        waiter.Waiting.Should().Be(0);
    }

    [Fact]
    public async Task Add_PartOfAHeadThenSilence_ExpiresWithWhatWasRead()
    {
        using var connection = await RawLoopbackConnection.OpenAsync();
        var completions = new Completions();
        using var waiter = new LateHeadWaiter(MaxHeaderBytes, TimeProvider.System, completions.Complete);
        var head = Started(connection, ShortDeadline, "GET /stalled HTTP/1.1\r\nHost: st");

        waiter.Add(head);
        var (result, at) = await completions.Of(1);

        at.Should().BeGreaterThanOrEqualTo(head.Deadline);
        Text(result.Prefix).Should().Be("GET /stalled HTTP/1.1\r\nHost: st");
        result.Request.Path.Should().Be("/stalled");
        result.ClientEof.Should().BeFalse();
    }

    [Fact]
    public async Task Add_HeadGrowsPastTheLimit_StopsAtTheLimit()
    {
        const int Limit = 64;
        using var connection = await RawLoopbackConnection.OpenAsync();
        var completions = new Completions();
        using var waiter = new LateHeadWaiter(Limit, TimeProvider.System, completions.Complete);
        const string First = "GET / HTTP/1.1\r\nX-Long: ";
        waiter.Add(Started(connection, FarDeadline, First, Limit));

        var rest = new string('b', 100);
        connection.Send(rest);
        var (result, _) = await completions.Of(1);

        Text(result.Prefix).Should().Be((First + rest)[..Limit]);
        TestDescriptors.ReceiveExactly(connection.Fd, First.Length + rest.Length - Limit).Should().Equal(Encoding.ASCII.GetBytes((First + rest)[Limit..]));
    }

    [Fact]
    public async Task Add_EarlierDeadlineThanTheOthers_WakesTheWaiterForIt()
    {
        using var late = await RawLoopbackConnection.OpenAsync(1);
        using var early = await RawLoopbackConnection.OpenAsync(2);
        var completions = new Completions();
        using var waiter = new LateHeadWaiter(MaxHeaderBytes, TimeProvider.System, completions.Complete);
        waiter.Add(Started(late, FarDeadline));
        await Eventually.TrueAsync(() => waiter.Waiting == 1, "the first head waits");

        var earlyHead = Started(early, ShortDeadline);
        waiter.Add(earlyHead);
        var (result, at) = await completions.Of(2);

        at.Should().BeGreaterThanOrEqualTo(earlyHead.Deadline);
        result.Prefix.IsEmpty.Should().BeTrue();
        completions.Has(1).Should().BeFalse("the first head's deadline is minutes away");
        waiter.Waiting.Should().Be(1);
    }

    [Fact]
    public async Task Add_CompletionThrows_TheWaiterKeepsServingTheOthers()
    {
        using var failing = await RawLoopbackConnection.OpenAsync(1);
        using var other = await RawLoopbackConnection.OpenAsync(2);
        var completions = new Completions();
        using var waiter = new LateHeadWaiter(MaxHeaderBytes, TimeProvider.System, (head, result) =>
        {
            completions.Complete(head, result);
            if (head.Connection.Id == 1)
            {
                throw new InvalidOperationException("The callback failed.");
            }
        });
        waiter.Add(Started(failing, FarDeadline, "GET /a"));
        waiter.Add(Started(other, FarDeadline, "GET /b"));

        failing.Send(" HTTP/1.1\r\n\r\n");
        _ = await completions.Of(1);
        other.Send(" HTTP/1.1\r\n\r\n");
        var (result, _) = await completions.Of(2);

        result.Request.Path.Should().Be("/b");
    }

    [Fact]
    public async Task Dispose_HeadsStillWaiting_ReportsThemExpired()
    {
        using var silent = await RawLoopbackConnection.OpenAsync(1);
        using var partial = await RawLoopbackConnection.OpenAsync(2);
        var completions = new Completions();
        var waiter = new LateHeadWaiter(MaxHeaderBytes, TimeProvider.System, completions.Complete);
        waiter.Add(Started(silent, FarDeadline));
        waiter.Add(Started(partial, FarDeadline, "GET /partial HTTP/1.1\r\n"));

        waiter.Dispose();

        completions.Has(1).Should().BeTrue("Dispose reports before it returns");
        completions.Has(2).Should().BeTrue("Dispose reports before it returns");
        var (silentResult, _) = await completions.Of(1);
        var (partialResult, _) = await completions.Of(2);
        silentResult.Prefix.IsEmpty.Should().BeTrue();
        silentResult.ClientEof.Should().BeFalse();
        Text(partialResult.Prefix).Should().Be("GET /partial HTTP/1.1\r\n");
        completions.Calls(1).Should().Be(1);
        completions.Calls(2).Should().Be(1);
    }

    [Fact]
    public async Task Dispose_WhileACompletionIsRunning_StillReportsTheHeadsWaiting()
    {
        using var expiring = await RawLoopbackConnection.OpenAsync(1);
        using var waiting = await RawLoopbackConnection.OpenAsync(2);
        var completions = new Completions();
        var inCallback = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        var waiter = new LateHeadWaiter(MaxHeaderBytes, TimeProvider.System, (head, result) =>
        {
            if (head.Connection.Id == 1)
            {
                // Holds the waiter's thread in a completion while Dispose begins.
                inCallback.TrySetResult();
                _ = release.Wait(TestTimeouts.Default);
            }

            completions.Complete(head, result);
        });
        var disposer = new Thread(waiter.Dispose) { IsBackground = true, Name = "LateHeadWaiterTests dispose" };
        try
        {
            waiter.Add(Started(waiting, FarDeadline));
            waiter.Add(Started(expiring, TimeSpan.Zero));
            await inCallback.Task.WaitAsync(TestTimeouts.Default);

            disposer.Start();
            await Eventually.TrueAsync(() => (disposer.ThreadState & ThreadState.WaitSleepJoin) != 0, "Dispose waits for the waiter's thread");
            release.Set();
            var (result, _) = await completions.Of(2);

            result.Prefix.IsEmpty.Should().BeTrue();
            result.ClientEof.Should().BeFalse();
            disposer.Join(TestTimeouts.Default).Should().BeTrue();
        }
        finally
        {
            release.Set();
            if ((disposer.ThreadState & ThreadState.Unstarted) != 0)
            {
                waiter.Dispose();
            }
            else
            {
                _ = disposer.Join(TestTimeouts.Default);
            }
        }
    }
}
