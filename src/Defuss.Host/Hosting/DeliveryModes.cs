using Defuss.Worker.Interop;

namespace Defuss.Hosting;

/// <summary>How the front door gets a connection to its worker, as <c>Defuss:Delivery</c> takes it (case-insensitive).</summary>
public static class DeliveryModes
{
    /// <summary>Handoff where it works (Linux on x64 or arm64, workers on Unix sockets), proxy elsewhere. The default.</summary>
    public const string Auto = "Auto";

    /// <summary>The accepted socket itself goes to the worker; the primary steps out of the byte path.</summary>
    public const string Handoff = "Handoff";

    /// <summary>The primary connects to the worker's private endpoint and pumps the bytes both ways.</summary>
    public const string Proxy = "Proxy";

    /// <summary>Every mode's name.</summary>
    public static IReadOnlyList<string> All { get; } = [Auto, Handoff, Proxy];

    /// <summary>Whether <paramref name="name"/> names a mode (case-insensitive).</summary>
    public static bool IsKnown(string? name) => All.Contains(name ?? "", StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether connections are handed off with these (valid) options, and why, for the start-up log line.
    /// <paramref name="whyUnsupported"/> is null where handoff works, else the reason it does not.
    /// </summary>
    internal static bool UsesHandoff(DefussOptions options, string? whyUnsupported, out string reason)
    {
        if (Is(options.Delivery, Proxy))
        {
            reason = "Defuss:Delivery is Proxy";
            return false;
        }

        if (Is(options.Delivery, Handoff))
        {
            reason = "Defuss:Delivery is Handoff";
            return true;
        }

        if (options.BaseWorkerPort is not null)
        {
            reason = "Defuss:Delivery is Auto, and BaseWorkerPort puts the workers on TCP ports, which only proxying reaches";
            return false;
        }

        if (whyUnsupported is not null)
        {
            reason = "Defuss:Delivery is Auto, and " + whyUnsupported;
            return false;
        }

        reason = "Defuss:Delivery is Auto, and this Linux process can pass sockets to its workers";
        return true;
    }

    /// <summary>Null where handoff works, else why not.</summary>
    internal static string? WhyHandoffUnsupported => HandoffSupport.WhyUnsupported;

    /// <summary>Whether <paramref name="name"/> (as configured) names <paramref name="mode"/>.</summary>
    internal static bool Is(string? name, string mode) => string.Equals(name?.Trim(), mode, StringComparison.OrdinalIgnoreCase);
}
