using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>
/// TLS terminated in the workers (<c>DefussOptions.ConfigureWorkerEndpoint</c>, the Showcase's <c>Showcase:HttpsCertificate</c>):
/// the front door routes the TLS bytes as they come, and HTTP/1.1, HTTP/2 (by ALPN) and WebSockets work over it.
/// </summary>
public abstract class HttpsTests(string delivery)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff() : HttpsTests(Delivery.Handoff);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy() : HttpsTests(Delivery.Proxy);

    [Fact]
    public async Task Https_Http11AndHttp2AndWebSockets_AreServedByTheWorkers()
    {
        using var directory = new ShortTempDirectory();
        var (certificate, thumbprint) = WriteSelfSignedCertificate(directory.PathOf("showcase.pfx"));
        await using var defuss = await DefussProcess.StartAsync(Delivery.With(delivery, [$"--Showcase:HttpsCertificate={certificate}"]));
        await defuss.ReadyPidsAsync();
        var baseAddress = new Uri($"https://127.0.0.1:{defuss.Port}/");

        using var http11 = Client(baseAddress, HttpVersion.Version11, thumbprint);
        using var overHttp11 = await http11.GetAsync("/health");
        using var http2 = Client(baseAddress, HttpVersion.Version20, thumbprint);
        using var overHttp2 = await http2.GetAsync("/client");

        overHttp11.Version.Should().Be(HttpVersion.Version11);
        JsonDocument.Parse(await overHttp11.Content.ReadAsStringAsync()).RootElement.GetProperty("ok").GetBoolean().Should().BeTrue();
        overHttp2.Version.Should().Be(HttpVersion.Version20, "ALPN offers h2 on the worker's TLS endpoint");
        JsonDocument.Parse(await overHttp2.Content.ReadAsStringAsync()).RootElement.GetProperty("remoteIp").GetString().Should().Be("127.0.0.1");

        using var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = (_, presented, _, _) => IsTheTestCertificate(presented, thumbprint);
        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{defuss.Port}/ws"), CancellationToken.None).WaitAsync(HttpTestClient.Timeout);
        await socket.SendAsync(Encoding.UTF8.GetBytes("over tls"), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(HttpTestClient.Timeout);
        var buffer = new byte[64];
        var echo = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(HttpTestClient.Timeout);
        Encoding.UTF8.GetString(buffer, 0, echo.Count).Should().Be("over tls");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(HttpTestClient.Timeout);

        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
    }

    /// <summary>The workers must present the certificate the test made: the one the primary never loads.</summary>
    private static bool IsTheTestCertificate(X509Certificate? presented, string thumbprint) =>
        presented is not null && string.Equals(presented.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase);

    private static HttpClient Client(Uri baseAddress, Version version, string thumbprint) =>
        new(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => IsTheTestCertificate(presented, thumbprint) } })
        {
            BaseAddress = baseAddress,
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = HttpTestClient.Timeout,
        };

    private static (string Path, string Thumbprint) WriteSelfSignedCertificate(string path)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx));
        return (path, certificate.GetCertHashString());
    }
}
