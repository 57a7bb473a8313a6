namespace Defuss.Tests.TestSupport;

/// <summary>A thread-safe counter, for instance of the incarnations of an actor (one per construction).</summary>
internal sealed class Counter
{
    private int _value;

    public int Value => Volatile.Read(ref _value);

    public int Next() => Interlocked.Increment(ref _value);
}
