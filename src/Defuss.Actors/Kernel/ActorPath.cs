namespace Defuss.Actors;

/// <summary>The address of an actor inside its system, such as <c>/user/supervisor/worker-0</c>.</summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private readonly string _text;

    private ActorPath(ActorPath? parent, string name)
    {
        Parent = parent;
        Name = name;
        _text = parent is null ? "" : (parent.Parent is null ? "/" : parent._text + "/") + name;
    }

    /// <summary>The last element of the path.</summary>
    public string Name { get; }

    /// <summary>The parent's path, or <c>null</c> for the root.</summary>
    public ActorPath? Parent { get; }

    internal static ActorPath Root { get; } = new(null, "");

    internal ActorPath Child(string name) => new(this, name);

    public bool Equals(ActorPath? other) => other is not null && _text == other._text;

    public override bool Equals(object? obj) => obj is ActorPath other && Equals(other);

    public override int GetHashCode() => _text.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => _text.Length == 0 ? "/" : _text;
}
