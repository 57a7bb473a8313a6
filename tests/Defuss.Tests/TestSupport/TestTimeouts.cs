namespace Defuss.Tests.TestSupport;

/// <summary>The upper bounds that make a hang fail fast instead of stalling the run.</summary>
internal static class TestTimeouts
{
    /// <summary>For any single await in a test.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    /// <summary>For bulk transfers that share two cores with the rest of the suite.</summary>
    public static readonly TimeSpan Bulk = TimeSpan.FromSeconds(60);
}
