using System.Net;
using System.Net.Sockets;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Worker.Protocol;

public sealed class WorkerEndpointTests
{
    [Fact]
    public void Parse_UnixForm_ReturnsUnixEndPoint()
    {
        var endPoint = WorkerEndpoint.Parse("unix:/tmp/defuss/worker-0.sock");

        endPoint.Should().BeOfType<UnixDomainSocketEndPoint>().Which.ToString().Should().Be("/tmp/defuss/worker-0.sock");
    }

    [Theory]
    [InlineData("tcp:127.0.0.1:5001", "127.0.0.1", 5001)]
    [InlineData("tcp:[::1]:5002", "::1", 5002)]
    [InlineData("tcp:0.0.0.0:65535", "0.0.0.0", 65535)]
    public void Parse_TcpForm_ReturnsIPEndPoint(string text, string address, int port)
    {
        var endPoint = WorkerEndpoint.Parse(text);

        endPoint.Should().Be(new IPEndPoint(IPAddress.Parse(address), port));
    }

    [Theory]
    [InlineData("unix:/tmp/defuss/worker-0.sock")]
    [InlineData("tcp:127.0.0.1:5001")]
    [InlineData("tcp:[::1]:5002")]
    public void Format_ParsedEndPoint_GivesTheTextBack(string text)
    {
        WorkerEndpoint.Format(WorkerEndpoint.Parse(text)).Should().Be(text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("unix:")]
    [InlineData("tcp:")]
    [InlineData("/tmp/worker.sock")]
    [InlineData("http://127.0.0.1:5001")]
    [InlineData("tcp:127.0.0.1")]
    [InlineData("tcp:127.0.0.1:0")]
    [InlineData("tcp:127.0.0.1:70000")]
    [InlineData("tcp:localhost:5001")]
    [InlineData("TCP:127.0.0.1:5001")]
    public void Parse_BadText_ThrowsFormatExceptionNamingIt(string text)
    {
        var parse = () => WorkerEndpoint.Parse(text);

        parse.Should().Throw<FormatException>().WithMessage($"*'{text}'*");
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNull()
    {
        var parse = () => WorkerEndpoint.Parse(null!);

        parse.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Format_DnsEndPoint_ThrowsArgumentException()
    {
        var format = () => WorkerEndpoint.Format(new DnsEndPoint("localhost", 5001));

        format.Should().Throw<ArgumentException>();
    }
}
