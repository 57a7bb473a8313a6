using System.Text;

namespace Defuss.Admin;

/// <summary>The live status page (placeholder until the page lands).</summary>
internal static class StatusPage
{
    public static ReadOnlyMemory<byte> Html { get; } = Encoding.UTF8.GetBytes("<!doctype html><title>Defuss</title><p>status</p>");
}
