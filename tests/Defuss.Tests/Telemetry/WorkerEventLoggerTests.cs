using Akka.Actor;
using Akka.TestKit;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;
using Defuss.Telemetry;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Defuss.Tests.Telemetry;

/// <remarks>
/// In the real-process collection: its meters are named <c>Defuss</c>, like the primary's that the OpenTelemetry test
/// exports, and OpenTelemetry listens to every meter of that name in the process.
/// </remarks>
[Collection(Defuss.Tests.Integration.ShowcaseCollection.Name)]
public sealed class WorkerEventLoggerTests : ActorTest
{
    private readonly MetricsRecorder _recorder = new();
    private readonly DefussMetrics _metrics;
    private readonly TestProbe _observer;
    private readonly IActorRef _events;

    public WorkerEventLoggerTests()
    {
        _metrics = new DefussMetrics(_recorder.MeterFactory);
        _observer = CreateTestProbe("observer");
        var observer = _observer.Ref;
        Action<object> observe = e => observer.Tell(e, ActorRefs.NoSender);
        _events = Sys.ActorOf(Props.Create(() => new WorkerEventLogger(NullLogger.Instance, _metrics, observe)));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _metrics.Dispose();
        _recorder.Dispose();
    }

    [Fact]
    public async Task BackendEjected_FromARouter_IsCountedByWorker()
    {
        var router = Sys.ActorOf(Props.Create(() => new RoundRobinRouter())).WithBackends(Routers.Candidate(0), Routers.Candidate(1));
        router.Tell(new RoutingSettings(RouterActorBase.DefaultEjectionPeriod, _events));

        router.Tell(new BackendConnectFailed("worker-1", "connection refused"));

        await Eventually.TrueAsync(() => _recorder.Total("defuss.backend.ejections") == 1, "the ejection is counted");
        _recorder.Measurements.Single(m => m.Instrument == "defuss.backend.ejections").Tags.Single().Should().Be(new KeyValuePair<string, object?>("defuss.worker", "worker-1"));
    }

    [Fact]
    public async Task RoutingStrategyFailed_FromARouter_IsCountedOnTheMeterByKind()
    {
        Func<RoutingContext, ValueTask<BackendCandidate?>> strategy =
            context => context.Request.GetHeader("X-Fail") == "throw" ? throw new InvalidOperationException("broken") : new(Routers.Candidate(9));
        var router = Sys.ActorOf(Props.Create(() => new DelegateRouter(strategy, TimeSpan.FromMilliseconds(100))))
            .WithBackends(Routers.Candidate(0), Routers.Candidate(1));
        router.Tell(new RoutingSettings(RouterActorBase.DefaultEjectionPeriod, _events));

        await router.ChooseIdAsync(Routers.Http("X-Fail", "throw"));
        await router.ChooseIdAsync(Routers.Http("X-Fail", "throw"));
        await router.ChooseIdAsync(Routers.Http("X-Fail", "stranger"));

        await Eventually.TrueAsync(() => _recorder.Total("defuss.routing.strategy_failures") == 3, "three strategy failures are counted");
        _recorder.Measurements.Where(m => m.Instrument == "defuss.routing.strategy_failures")
            .Select(m => m.Tags.Single().Value)
            .Should().Equal("throw", "throw", "invalid");
        // Routing failures are counted, not published as worker events.
        await _observer.ExpectNoMsgAsync(TestTimeouts.NoMessage);
    }

    [Fact]
    public async Task WorkerEvent_IsCountedAndPassedToTheObserver()
    {
        var ready = new WorkerReady(0, 1, 10, "unix:/w0");

        _events.Tell(ready);

        (await _observer.ExpectMsgAsync<WorkerReady>()).Should().BeSameAs(ready);
        _recorder.Observe("defuss.workers.ready").Should().Be(1);
        await _observer.ExpectNoMsgAsync(TestTimeouts.NoMessage);
    }

    [Fact]
    public async Task WorkerEvent_IsPublishedOnTheEventStream()
    {
        var stream = CreateTestProbe("stream");
        Sys.EventStream.Subscribe(stream.Ref, typeof(WorkerEvent));
        var ready = new WorkerReady(0, 1, 10, "unix:/w0");
        var exited = new WorkerExited(1, 2, 11, new WorkerExit(1, null), Expected: false, ["boom"]);

        _events.Tell(ready);
        _events.Tell(new AllWorkersGaveUp(2));
        _events.Tell(exited);

        (await stream.ExpectMsgAsync<WorkerReady>()).Should().BeSameAs(ready);
        (await stream.ExpectMsgAsync<WorkerExited>()).Should().BeSameAs(exited);
        await stream.ExpectNoMsgAsync(TestTimeouts.NoMessage);
    }
}
