namespace Defuss.Tests.TestSupport;

using Defuss.Actors;

/// <summary>
/// A node of a tree of actors: starts <c>width</c> children named <c>{name}.{i}</c> down to <c>depth</c> levels, and
/// tells <c>monitor</c> its <see cref="Hook.PreStart"/> and <see cref="Hook.PostStop"/> (incarnation 1).
/// </summary>
internal sealed class TreeActor : ReceiveActor
{
    private readonly string _name;
    private readonly IActorRef _monitor;

    public TreeActor(string name, IActorRef monitor, int depth, int width)
    {
        _name = name;
        _monitor = monitor;
        if (depth > 1)
        {
            for (var i = 0; i < width; i++)
            {
                var childName = name + "." + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Context.ActorOf(Props(childName, monitor, depth - 1, width), childName);
            }
        }

        Receive<Ping>(_ => Sender.Tell(Pong.Instance));
    }

    /// <summary>The number of actors in a tree of <paramref name="depth"/> levels with <paramref name="width"/> children per node.</summary>
    public static int Count(int depth, int width) => depth <= 1 ? 1 : 1 + (width * Count(depth - 1, width));

    public static Props Props(string name, IActorRef monitor, int depth, int width) =>
        Actors.Props.Create(() => new TreeActor(name, monitor, depth, width));

    /// <summary>The name of the parent of the node named <paramref name="name"/>, or <c>null</c> for the root.</summary>
    public static string? ParentName(string name)
    {
        var dot = name.LastIndexOf('.');
        return dot < 0 ? null : name[..dot];
    }

    protected override void PreStart() => _monitor.Tell(new LifecycleEvent(_name, Hook.PreStart, 1));

    protected override void PostStop() => _monitor.Tell(new LifecycleEvent(_name, Hook.PostStop, 1));
}
