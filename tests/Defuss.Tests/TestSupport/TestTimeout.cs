namespace Defuss.Tests.TestSupport;

/// <summary>How long a test waits for anything before it fails, so that a hang fails fast.</summary>
internal static class TestTimeout
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);
}
