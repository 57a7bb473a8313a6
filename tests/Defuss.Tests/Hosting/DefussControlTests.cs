using Defuss.Actors.Workers;
using Defuss.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Defuss.Tests.Hosting;

public sealed class DefussControlTests
{
    private sealed class Recorder : IObserver<WorkerEvent>
    {
        public List<WorkerEvent> Seen { get; } = [];

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(WorkerEvent value) => Seen.Add(value);
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
    public void Events_ReachEverySubscriberUntilItUnsubscribes()
    {
        var control = new DefussControl();
        var first = new Recorder();
        var second = new Recorder();
        using var firstSubscription = control.Events.Subscribe(first);
        var secondSubscription = control.Events.Subscribe(second);
        var started = new WorkerStarted(0, 1, 4242, "unix:/tmp/w0.sock");

        control.Publish(started);
        secondSubscription.Dispose();
        control.Publish(new WorkerReady(0, 1, 4242, "unix:/tmp/w0.sock"));

        first.Seen.Should().HaveCount(2);
        second.Seen.Should().Equal(started);
    }

    [Fact]
    public async Task RollingRestartAsync_OutsideARunningPrimary_ExplainsWhy()
    {
        var act = () => new DefussControl().RollingRestartAsync();

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*running Defuss primary*");
    }
}
