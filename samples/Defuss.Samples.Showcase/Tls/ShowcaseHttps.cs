using System.Security.Cryptography.X509Certificates;
using Defuss.Hosting;

namespace Defuss.Samples.Showcase.Tls;

/// <summary>
/// Reads <c>Showcase:HttpsCertificate</c> (a PKCS#12 file) and <c>Showcase:HttpsCertificatePassword</c>: when set, every
/// worker terminates TLS itself on its endpoint, and HTTP/2 is offered with ALPN. The front door sees only TLS bytes,
/// routes them as they are, and the worker alone holds the key.
/// </summary>
internal static class ShowcaseHttps
{
    public const string CertificateSetting = "Showcase:HttpsCertificate";
    public const string PasswordSetting = "Showcase:HttpsCertificatePassword";

    /// <summary>Serves HTTPS from the workers when <see cref="CertificateSetting"/> names a certificate file.</summary>
    public static void UseHttpsFrom(this DefussOptions options, IConfiguration configuration)
    {
        var path = configuration[CertificateSetting];
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{CertificateSetting} = '{path}' is invalid: no such file.");
        }

        var password = configuration[PasswordSetting];

        // Loaded where it is used, in the workers: the primary never touches the key.
        options.ConfigureWorkerEndpoint(listen => listen.UseHttps(X509CertificateLoader.LoadPkcs12FromFile(path, password)));
    }
}
