using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Defuss.Actors.Workers;

namespace Defuss.Hosting;

/// <summary>
/// Defuss's events as Akka.Streams sources, for the primary's actor system (Defuss's own, or the app's with
/// <c>WithDefuss</c>): <c>DefussStreams.WorkerEvents(system).RunForeach(e => ..., system.Materializer())</c>.
/// </summary>
/// <remarks>
/// Each materialization subscribes to the actor system's event stream from then on. A consumer that falls more than
/// <c>bufferSize</c> elements behind loses the oldest ones: a slow stream never holds up an actor.
/// </remarks>
public static class DefussStreams
{
    /// <summary>The default number of elements a source keeps for a consumer that is behind.</summary>
    public const int DefaultBufferSize = 1024;

    /// <summary>Every worker event (started, ready, stale, draining, exited, respawn scheduled, given up, replacing).</summary>
    public static Source<WorkerEvent, NotUsed> WorkerEvents(ActorSystem system, int bufferSize = DefaultBufferSize) =>
        FromEventStream<WorkerEvent>(system, bufferSize);

    /// <summary>Every Ready worker's stats, as each heartbeat brings them (every <c>WorkerHeartbeatInterval</c> per worker).</summary>
    public static Source<WorkerStatsReported, NotUsed> WorkerStats(ActorSystem system, int bufferSize = DefaultBufferSize) =>
        FromEventStream<WorkerStatsReported>(system, bufferSize);

    private static Source<T, NotUsed> FromEventStream<T>(ActorSystem system, int bufferSize)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        return Source.ActorRef<T>(bufferSize, OverflowStrategy.DropHead)
            .MapMaterializedValue(actor =>
            {
                system.EventStream.Subscribe(actor, typeof(T));
                return NotUsed.Instance;
            });
    }
}
