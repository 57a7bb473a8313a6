using Defuss.Actors.Workers;
using Defuss.Hosting;
using Defuss.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Defuss.Tests.Hosting;

public sealed class DefussControlTests
{
    /// <summary>Records the events it is given, from the delivery task, and lets the test wait for a number of them.</summary>
    private sealed class Recorder : IObserver<WorkerEvent>
    {
        private readonly List<WorkerEvent> _seen = [];
        private readonly AsyncCounter _count = new();

        public IReadOnlyList<WorkerEvent> Seen
        {
            get
            {
                lock (_seen)
                {
                    return [.. _seen];
                }
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(WorkerEvent value)
        {
            lock (_seen)
            {
                _seen.Add(value);
            }

            _count.Increment();
        }

        /// <summary>Completes once <paramref name="count"/> events have been seen.</summary>
        public Task SeenAsync(int count) => _count.WaitForAsync(count);
    }

    /// <summary>
    /// An observer stuck in its first <c>OnNext</c> until the test opens <see cref="Gate"/>: it says so through
    /// <see cref="Stuck"/>, and records every event it is given.
    /// </summary>
    private sealed class StuckObserver : IObserver<WorkerEvent>
    {
        private readonly Recorder _recorder = new();
        private readonly TaskCompletionSource _stuck = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim Gate { get; } = new();

        public Task Stuck => _stuck.Task;

        public IReadOnlyList<WorkerEvent> Seen => _recorder.Seen;

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(WorkerEvent value)
        {
            _recorder.OnNext(value);
            if (_stuck.TrySetResult())
            {
                // Bounded, so that a test that never opens the gate fails instead of hanging.
                Gate.Wait(TestTimeouts.Default);
            }
        }

        public Task SeenAsync(int count) => _recorder.SeenAsync(count);
    }

    [Fact]
    public void AddDefuss_RegistersOneControlForTheApp()
    {
        var builder = WebApplication.CreateBuilder([]);
        builder.AddDefuss();
        using var app = builder.Build();

        var control = app.Services.GetRequiredService<IDefussControl>();

        control.Should().BeSameAs(app.Services.GetRequiredService<IDefussControl>());
        control.IsPrimary.Should().BeTrue("the test process has no DEFUSS_ROLE");
    }

    [Fact]
    public async Task Events_ReachEverySubscriberUntilItUnsubscribes()
    {
        var control = new DefussControl();
        var first = new Recorder();
        var second = new Recorder();
        using var firstSubscription = control.Events.Subscribe(first);
        var secondSubscription = control.Events.Subscribe(second);
        var started = new WorkerStarted(0, 1, 4242, "unix:/tmp/w0.sock");
        var ready = new WorkerReady(0, 1, 4242, "unix:/tmp/w0.sock");

        control.Publish(started);
        secondSubscription.Dispose();
        control.Publish(ready);

        await first.SeenAsync(2);
        await second.SeenAsync(1);
        first.Seen.Should().Equal(started, ready);
        second.Seen.Should().Equal(started);
        control.DroppedEvents.Should().Be(0);
    }

    [Fact]
    public async Task Publish_ToAStuckObserver_ReturnsAtOnceAndTheObserverGetsTheNewestEventsInOrder()
    {
        var control = new DefussControl();
        var stuck = new StuckObserver();
        using var subscription = control.Events.Subscribe(stuck);
        var events = Enumerable.Range(1, 2000).Select(i => new WorkerStarted(0, i, 4242, "unix:/tmp/w0.sock")).ToArray();
        control.Publish(events[0]);
        await stuck.Stuck.WaitAsync(TestTimeouts.Default);

        // On a task of its own, so that a Publish that waited for the observer fails the test instead of hanging it.
        await Task.Run(() =>
        {
            foreach (var workerEvent in events.Skip(1))
            {
                control.Publish(workerEvent);
            }
        }).WaitAsync(TestTimeouts.Default);

        stuck.Seen.Should().Equal([events[0]], "the observer is still stuck in its first OnNext");
        var dropped = events.Length - 1 - DefussControl.ObserverBuffer;
        control.DroppedEvents.Should().Be(dropped, "the stuck observer's queue keeps the newest 1024 of the 1999 events behind it");

        stuck.Gate.Set();

        await stuck.SeenAsync(1 + DefussControl.ObserverBuffer);
        stuck.Seen.Should().Equal([events[0], .. events[(1 + dropped)..]]);
        control.DroppedEvents.Should().Be(dropped);
    }

    [Fact]
    public async Task Publish_WithOneObserverStuck_ReachesTheOthers()
    {
        var control = new DefussControl();
        var stuck = new StuckObserver();
        var prompt = new Recorder();
        using var stuckSubscription = control.Events.Subscribe(stuck);
        using var promptSubscription = control.Events.Subscribe(prompt);
        var events = Enumerable.Range(1, 10).Select(i => new WorkerReady(i, 1, 4242, "unix:/tmp/w.sock")).ToArray();

        foreach (var workerEvent in events)
        {
            control.Publish(workerEvent);
        }

        await stuck.Stuck.WaitAsync(TestTimeouts.Default);
        await prompt.SeenAsync(events.Length);
        prompt.Seen.Should().Equal(events);
        stuck.Seen.Should().Equal([events[0]]);
        stuck.Gate.Set();
        await stuck.SeenAsync(events.Length);
        stuck.Seen.Should().Equal(events);
        control.DroppedEvents.Should().Be(0);
    }

    [Fact]
    public async Task RollingRestartAsync_OutsideARunningPrimary_ExplainsWhy()
    {
        var act = () => new DefussControl().RollingRestartAsync();

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*running Defuss primary*");
    }
}
