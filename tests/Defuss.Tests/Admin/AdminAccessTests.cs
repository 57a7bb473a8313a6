using System.Net;
using System.Text;
using Defuss.Admin;
using Microsoft.AspNetCore.Http;

namespace Defuss.Tests.Admin;

/// <summary>Whom the admin endpoint answers: checked on the request alone, since tests only ever connect over loopback.</summary>
public sealed class AdminAccessTests
{
    private static readonly byte[] Expected = Encoding.UTF8.GetBytes("Bearer secret-secret-secret");

    [Fact]
    public void Refusal_ARemoteClientWithNoTokenSet_IsForbiddenWithTheReason()
    {
        var refusal = AdminEndpoint.Refusal(Request(IPAddress.Parse("192.0.2.10")), expected: null);

        refusal.Should().Be((403, "the admin endpoint answers loopback clients only, unless Defuss:AdminToken is set"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Refusal_ALoopbackClientWithNoTokenSet_IsAnswered(string address)
    {
        AdminEndpoint.Refusal(Request(IPAddress.Parse(address)), expected: null).Should().BeNull();
    }

    [Fact]
    public void Refusal_TheLocalSocket_IsAnsweredWhateverTheToken()
    {
        AdminEndpoint.Refusal(Request(address: null), Expected).Should().BeNull();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong")]
    [InlineData("Bearer secret-secret-secre")]
    [InlineData("bearer secret-secret-secret")]
    public void Refusal_ATokenSetAndNotPresented_IsUnauthorizedEvenFromLoopback(string? authorization)
    {
        AdminEndpoint.Refusal(Request(IPAddress.Loopback, authorization), Expected)?.Status.Should().Be(401);
    }

    [Fact]
    public void Refusal_ATokenSetAndPresented_IsAnsweredFromAnyAddress()
    {
        AdminEndpoint.Refusal(Request(IPAddress.Parse("192.0.2.10"), "Bearer secret-secret-secret"), Expected).Should().BeNull();
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public void Refusal_TheProbes_AnswerAnyClientWithoutAToken(string path)
    {
        var probe = Request(IPAddress.Parse("192.0.2.10"), path: path);

        AdminEndpoint.Refusal(probe, Expected).Should().BeNull("a kubelet or a load balancer probes without a token");
        AdminEndpoint.Refusal(probe, expected: null).Should().BeNull();
    }

    [Theory]
    [InlineData("GET", "/status")]
    [InlineData("GET", "/healthz/../status")]
    [InlineData("POST", "/readyz")]
    public void Refusal_AnythingButTheProbes_StillNeedsTheToken(string method, string path)
    {
        var request = Request(IPAddress.Parse("192.0.2.10"), path: path);
        request.Request.Method = method;

        AdminEndpoint.Refusal(request, Expected)?.Status.Should().Be(401);
    }

    private static DefaultHttpContext Request(IPAddress? address, string? authorization = null, string path = "/status")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = address;
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context;
    }
}
