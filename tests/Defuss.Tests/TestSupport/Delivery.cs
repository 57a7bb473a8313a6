namespace Defuss.Tests.TestSupport;

/// <summary>The delivery modes the real-process tests run in: every behaviour must hold in both.</summary>
internal static class Delivery
{
    public const string Handoff = "Handoff";
    public const string Proxy = "Proxy";

    /// <summary>The command-line setting that selects <paramref name="delivery"/>.</summary>
    public static string Setting(string delivery) => "--Defuss:Delivery=" + delivery;

    /// <summary><paramref name="settings"/> with the setting that selects <paramref name="delivery"/> first.</summary>
    public static string[] With(string delivery, string[] settings) => [Setting(delivery), .. settings];
}
