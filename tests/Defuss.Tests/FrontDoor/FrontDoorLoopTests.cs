using Akka.Actor;
using Defuss.FrontDoor;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.FrontDoor;

/// <summary>The front door's loop: posted work, watched descriptors, timers, failures, and the router's dispatcher on it.</summary>
public sealed class FrontDoorLoopTests : ActorTest
{
    private readonly ListLoggerProvider _logs = new();

    protected override void Dispose(bool disposing)
    {
        _logs.Dispose();
        base.Dispose(disposing);
    }

    private FrontDoorLoop Loop() => new(_logs.CreateLogger<FrontDoorLoop>());

    [Fact]
    public async Task Post_FromAnotherThread_WakesTheLoop_AndRunsOnItsThread()
    {
        using var loop = Loop();
        var ran = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        loop.Post(() => ran.TrySetResult(loop.IsLoopThread));

        (await ran.Task.WaitAsync(TestTimeouts.Default)).Should().BeTrue("posted work runs on the loop's own thread");
        loop.IsLoopThread.Should().BeFalse();
    }

    [Fact]
    public async Task Post_OnTheLoop_RunsInOrder_AfterTheWorkThatPostedIt()
    {
        using var loop = Loop();
        var order = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        loop.Post(() =>
        {
            loop.Post(() =>
            {
                order.Add("second");
                done.TrySetResult();
            });
            order.Add("first");
        });

        await done.Task.WaitAsync(TestTimeouts.Default);
        order.Should().Equal("first", "second");
    }

    [Fact]
    public async Task Watch_CallsTheWatcherWhileTheDescriptorIsReadable_AndUnwatchStopsIt()
    {
        using var loop = Loop();
        using var pair = TestDescriptors.SocketPair();
        var watcher = new ReadingWatcher(pair.First);
        var token = loop.Watch(pair.First, watcher);

        TestDescriptors.SendAll(pair.Second, "ab"u8);
        await Eventually.TrueAsync(() => watcher.Read == 2, "the watcher reads what arrived");
        TestDescriptors.SendAll(pair.Second, "cde"u8);
        await Eventually.TrueAsync(() => watcher.Read == 5, "the watcher is called again for new bytes");

        var unwatched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(() =>
        {
            loop.Unwatch(pair.First, token);
            unwatched.TrySetResult();
        });
        await unwatched.Task.WaitAsync(TestTimeouts.Default);
        TestDescriptors.SendAll(pair.Second, "f"u8);
        var rounds = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(() => loop.Post(() => rounds.TrySetResult()));
        await rounds.Task.WaitAsync(TestTimeouts.Default);

        watcher.Read.Should().Be(5, "an unwatched descriptor is not read");
        TestDescriptors.Pending(pair.First).Should().Be(1);
    }

    [Fact]
    public async Task After_RunsTheWorkOnceItsDelayHasPassed_InTheOrderOfTheirDeadlines()
    {
        using var loop = Loop();
        var order = new List<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        loop.After(TimeSpan.FromMilliseconds(60), () =>
        {
            order.Add(2);
            done.TrySetResult();
        });
        loop.After(TimeSpan.FromMilliseconds(20), () => order.Add(1));

        await done.Task.WaitAsync(TestTimeouts.Default);
        order.Should().Equal(1, 2);
    }

    [Fact]
    public async Task FailingWork_IsLogged_AndTheLoopGoesOn()
    {
        using var loop = Loop();
        var after = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        loop.Post(() => throw new InvalidOperationException("boom"));
        loop.Post(() => after.TrySetResult());

        await after.Task.WaitAsync(TestTimeouts.Default);
        var failure = await _logs.WaitForAsync(e => e.EventId.Id == 3025).WaitAsync(TestTimeouts.Default);
        failure.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("boom");
    }

    [Fact]
    public async Task AfterDispose_PostedWorkStillRuns_OnTheThreadPool()
    {
        var loop = Loop();
        loop.Dispose();
        await loop.Stopped.WaitAsync(TestTimeouts.Default);
        var ran = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        loop.Post(() => ran.TrySetResult(Thread.CurrentThread.IsThreadPoolThread));

        (await ran.Task.WaitAsync(TestTimeouts.Default)).Should().BeTrue("an actor that outlives the front door still gets its messages");
    }

    [Fact]
    public async Task AnActorOnTheLoopsDispatcher_HandlesItsMessagesOnTheLoop()
    {
        using var loop = Loop();
        var dispatcher = FrontDoorLoopDispatcher.Register(Sys, loop);
        var actor = Sys.ActorOf(Props.Create(() => new ThreadReporter(loop)).WithDispatcher(dispatcher));

        actor.Tell("which thread?", TestActor);

        (await ExpectMsgAsync<bool>(TestTimeouts.Default)).Should().BeTrue("the router's mailbox runs on the front door's loop");
        FrontDoorLoopDispatcher.Register(Sys, loop).Should().NotBe(dispatcher, "each loop gets a dispatcher of its own");
    }

    private sealed class ThreadReporter : ReceiveActor
    {
        public ThreadReporter(FrontDoorLoop loop) => Receive<string>(_ => Sender.Tell(loop.IsLoopThread));
    }

    private sealed class ReadingWatcher(int fd) : ILoopWatcher
    {
        private int _read;

        public int Read => Volatile.Read(ref _read);

        public void OnReady(uint events)
        {
            var pending = TestDescriptors.Pending(fd);
            if (pending > 0)
            {
                Interlocked.Add(ref _read, TestDescriptors.ReceiveExactly(fd, pending).Length);
            }
        }
    }
}
