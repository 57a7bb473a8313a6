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
    public async Task RollingRestartAsync_OutsideARunningPrimary_ExplainsWhy()
    {
        var act = () => new DefussControl().RollingRestartAsync();

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*running Defuss primary*");
    }
}
