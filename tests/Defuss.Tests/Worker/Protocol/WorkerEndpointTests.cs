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

    [Fact]
    public void Parse_HandoffForm_ReturnsHandoffEndPoint()
    {
        var endPoint = WorkerEndpoint.Parse("handoff:/tmp/defuss/worker-0.handoff");

        var handoff = endPoint.Should().BeOfType<HandoffEndPoint>().Which;
        handoff.Path.Should().Be("/tmp/defuss/worker-0.handoff");
        handoff.AddressFamily.Should().Be(AddressFamily.Unix);
        handoff.Should().Be(new HandoffEndPoint("/tmp/defuss/worker-0.handoff"));
    }

    [Fact]
    public void Parse_HandoffFormWithColonsInThePath_KeepsTheWholePath()
    {
        var endPoint = WorkerEndpoint.Parse("handoff:/tmp/a:b/handoff:1");

        endPoint.Should().BeOfType<HandoffEndPoint>().Which.Path.Should().Be("/tmp/a:b/handoff:1");
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
    [InlineData("handoff:/tmp/defuss/worker-0.handoff")]
    [InlineData("handoff:relative/worker-1.handoff")]
    public void Format_ParsedEndPoint_GivesTheTextBack(string text)
    {
        WorkerEndpoint.Format(WorkerEndpoint.Parse(text)).Should().Be(text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("unix:")]
    [InlineData("tcp:")]
    [InlineData("handoff:")]
    [InlineData("HANDOFF:/tmp/worker.handoff")]
    [InlineData("handoff/tmp/worker.handoff")]
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
    public void Format_HandoffEndPoint_IsNotTakenForAUnixEndPoint()
    {
        var text = WorkerEndpoint.Format(new HandoffEndPoint("/tmp/defuss/worker-2.handoff"));

        text.Should().Be("handoff:/tmp/defuss/worker-2.handoff");
    }

    [Fact]
    public void Format_DnsEndPoint_ThrowsArgumentException()
    {
        var format = () => WorkerEndpoint.Format(new DnsEndPoint("localhost", 5001));

        format.Should().Throw<ArgumentException>();
    }
}
