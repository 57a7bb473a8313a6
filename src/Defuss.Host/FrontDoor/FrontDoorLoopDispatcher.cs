using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace Defuss.FrontDoor;

/// <summary>
/// An Akka.NET dispatcher whose executor is a <see cref="FrontDoorLoop"/>: the actor it carries (the router, in handoff
/// mode) runs its mailbox on the front door's own thread. A routing question told from the loop is then answered in the
/// same round, and the answer's continuation (the handoff send) runs there too, without a thread-pool hop either way.
/// </summary>
/// <remarks>
/// An actor on this dispatcher must not block: while it runs, the front door neither accepts nor hears the workers'
/// reports. Defuss's routers answer from memory.
/// </remarks>
internal sealed class FrontDoorLoopDispatcher : MessageDispatcherConfigurator
{
    /// <summary>How many messages the actor handles before the loop looks at its sockets again.</summary>
    private const int Throughput = 64;

    private static int s_lastId;

    private readonly MessageDispatcher _dispatcher;

    private FrontDoorLoopDispatcher(string id, FrontDoorLoop loop, Config config, IDispatcherPrerequisites prerequisites)
        : base(config, prerequisites)
    {
        _dispatcher = new Dispatcher(this, id, Throughput, throughputDeadlineTime: null, new LoopExecutors(loop), TimeSpan.FromSeconds(1));
    }

    /// <summary>Registers a dispatcher on <paramref name="loop"/> with <paramref name="system"/>; returns its id, for <c>Props.WithDispatcher</c>.</summary>
    public static string Register(ActorSystem system, FrontDoorLoop loop)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(loop);
        var id = "defuss-front-door-loop-" + Interlocked.Increment(ref s_lastId);
        var dispatchers = system.Dispatchers;
        if (!dispatchers.RegisterConfigurator(id, new FrontDoorLoopDispatcher(id, loop, dispatchers.DefaultDispatcherConfig, dispatchers.Prerequisites)))
        {
            throw new InvalidOperationException($"The actor system already has a dispatcher named {id}.");
        }

        return id;
    }

    public override MessageDispatcher Dispatcher() => _dispatcher;

    private sealed class LoopExecutors(FrontDoorLoop loop) : ExecutorServiceFactory
    {
        public override ExecutorService Produce(string id) => new LoopExecutor(id, loop);
    }

    /// <summary>Runs the mailbox on the loop. The loop belongs to the primary, which stops it: a shutdown here leaves it be.</summary>
    private sealed class LoopExecutor(string id, FrontDoorLoop loop) : ExecutorService(id)
    {
        public override void Execute(IRunnable run) => loop.Post(run);

        public override void Shutdown()
        {
        }
    }
}
