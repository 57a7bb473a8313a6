namespace Defuss.Tests.TestSupport;

/// <summary>The real-time limits of the tests: a hang fails fast, a negative waits briefly.</summary>
internal static class TestTimeouts
{
    /// <summary>For any single await in a test: how long it waits for something that must happen.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    /// <summary>For bulk transfers that share two cores with the rest of the suite.</summary>
    public static readonly TimeSpan Bulk = TimeSpan.FromSeconds(60);

    /// <summary>How long a negative case of the TestKit waits before it gives up.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a test watches for a message that must not arrive.</summary>
    public static readonly TimeSpan NoMessage = TimeSpan.FromMilliseconds(200);

    /// <summary>An ask timeout on the manual clock; the tests that do not advance the clock never reach it.</summary>
    public static readonly TimeSpan AskNever = TimeSpan.FromHours(1);
}
