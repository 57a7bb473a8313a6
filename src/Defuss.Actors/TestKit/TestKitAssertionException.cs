namespace Defuss.Actors.TestKit;

/// <summary>An expectation of a <see cref="TestProbe"/> was not met.</summary>
public sealed class TestKitAssertionException(string message) : Exception(message);
