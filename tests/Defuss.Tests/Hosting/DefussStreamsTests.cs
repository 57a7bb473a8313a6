using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Defuss.Actors.Workers;
using Defuss.Hosting;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Hosting;

/// <summary>The worker events and stats as Akka.Streams sources over the actor system's event stream.</summary>
public sealed class DefussStreamsTests : ActorTest
{
    [Fact]
    public async Task WorkerEvents_EmitsEveryWorkerEventPublishedAfterItIsMaterialized_InOrder()
    {
        var probe = CreateTestProbe();
        DefussStreams.WorkerEvents(Sys).RunWith(Sink.ActorRef<WorkerEvent>(probe.Ref, "done", _ => "failed"), Sys.Materializer());

        var started = new WorkerStarted(0, 1, 4242, "unix:/w0");
        var ready = new WorkerReady(0, 1, 4242, "unix:/w0");
        Sys.EventStream.Publish(started);
        Sys.EventStream.Publish(new WorkerStatsReported(0, 1, 4242, Stats()));
        Sys.EventStream.Publish(ready);

        (await probe.ExpectMsgAsync<WorkerEvent>()).Should().Be(started);
        (await probe.ExpectMsgAsync<WorkerEvent>()).Should().Be(ready, "stats are not worker events");
    }

    [Fact]
    public async Task WorkerStats_EmitsEveryStatsReport()
    {
        var probe = CreateTestProbe();
        DefussStreams.WorkerStats(Sys).RunWith(Sink.ActorRef<WorkerStatsReported>(probe.Ref, "done", _ => "failed"), Sys.Materializer());

        var report = new WorkerStatsReported(1, 3, 4343, Stats());
        Sys.EventStream.Publish(new WorkerReady(1, 3, 4343, "unix:/w1"));
        Sys.EventStream.Publish(report);

        (await probe.ExpectMsgAsync<WorkerStatsReported>()).Should().Be(report);
    }

    [Fact]
    public void WorkerEvents_ABufferOfZero_IsRefusedWithItsName()
    {
        var act = () => DefussStreams.WorkerEvents(Sys, bufferSize: 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("bufferSize");
    }

    private static WorkerStats Stats() => new(4242, 12.5, 1, 1, 1, 0, 0, 0, 0, 1, 1);
}
