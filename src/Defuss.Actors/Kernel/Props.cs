using System.Reflection;

namespace Defuss.Actors;

/// <summary>The recipe for an actor: how to build a new instance (at start and at every restart).</summary>
public sealed class Props
{
    private readonly Func<ActorBase> _factory;

    private Props(Type actorType, Func<ActorBase> factory)
    {
        ActorType = actorType;
        _factory = factory;
    }

    /// <summary>The type of the actor that <see cref="NewActor"/> builds.</summary>
    public Type ActorType { get; }

    /// <summary>Props for an actor built with its parameterless constructor.</summary>
    public static Props Create<TActor>()
        where TActor : ActorBase, new() => new(typeof(TActor), static () => new TActor());

    /// <summary>Props for an actor built by <paramref name="factory"/>, which runs again at every restart.</summary>
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(typeof(TActor), factory);
    }

    /// <summary>Props for an actor built with the constructor of <typeparamref name="TActor"/> that takes <paramref name="args"/>.</summary>
    public static Props Create<TActor>(params object?[] args)
        where TActor : ActorBase
    {
        // DoNotWrapExceptions: the supervisor sees the constructor's own exception, not a TargetInvocationException.
        const BindingFlags Flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.CreateInstance | BindingFlags.DoNotWrapExceptions;
        return new Props(typeof(TActor), () => (ActorBase)Activator.CreateInstance(typeof(TActor), Flags, null, args, null)!);
    }

    internal ActorBase NewActor() => _factory();

    public override string ToString() => "Props(" + ActorType.Name + ")";
}
