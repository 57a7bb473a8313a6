using System.Net;
using System.Net.Sockets;
using Defuss.Worker.Protocol;
using Defuss.Worker.Runtime.Handoff;
using Microsoft.Extensions.Logging.Abstractions;

namespace Defuss.Tests.Worker.Runtime.Handoff;

public sealed class HandoffTransportFactoryTests
{
    [Fact]
    public void CanUseKestrelMemoryPool_OnThisFramework_IsTrue()
    {
        // Without Kestrel's pool the handoff connections' chunked responses fail; a framework that renames the option must
        // fail here, not in production.
        HandoffTransportFactory.CanUseKestrelMemoryPool.Should().BeTrue();
    }

    [Fact]
    public void CanBind_OnlyHandoffEndPoints()
    {
        var factory = new HandoffTransportFactory([1], memoryPools: null, NullLoggerFactory.Instance);

        factory.CanBind(new HandoffEndPoint("/tmp/defuss-test.sock")).Should().BeTrue();
        factory.CanBind(new IPEndPoint(IPAddress.Loopback, 80)).Should().BeFalse();
        factory.CanBind(new UnixDomainSocketEndPoint("/tmp/defuss-test.sock")).Should().BeFalse();
    }
}
