using System.Net;
using Defuss.Worker.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime.Handoff;

/// <summary>
/// The Kestrel transport for <see cref="HandoffEndPoint"/>s, registered beside the socket transport, which keeps every
/// other endpoint.
/// </summary>
internal sealed class HandoffTransportFactory(byte[] secret, ILoggerFactory loggerFactory) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is HandoffEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not HandoffEndPoint handoff)
        {
            throw new NotSupportedException($"The handoff transport binds only handoff endpoints, not {endpoint}.");
        }

        return new ValueTask<IConnectionListener>(HandoffConnectionListener.Bind(handoff, secret, loggerFactory));
    }
}
