using System.Reflection;

namespace Defuss.Admin;

/// <summary>
/// The live status page that the admin endpoint serves at <c>GET /</c> as <c>text/html; charset=utf-8</c>: one
/// self-contained HTML file (StatusPage.html, embedded) that polls the relative <c>status</c> URL every second.
/// </summary>
internal static class StatusPage
{
    /// <summary>The embedded resource's name, fixed in the project file so that a moved file keeps it.</summary>
    public const string ResourceName = "Defuss.Admin.StatusPage.html";

    /// <summary>The content type to serve <see cref="Html"/> with.</summary>
    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>The page's UTF-8 bytes, read from the assembly once.</summary>
    public static ReadOnlyMemory<byte> Html { get; } = Load();

    private static byte[] Load()
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The resource {ResourceName} is missing from {typeof(StatusPage).Assembly.GetName().Name}.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
