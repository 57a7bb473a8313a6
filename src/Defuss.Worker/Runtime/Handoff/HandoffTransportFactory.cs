using System.Net;
using System.Reflection;
using Defuss.Worker.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime.Handoff;

/// <summary>
/// The Kestrel transport for <see cref="HandoffEndPoint"/>s, registered beside the socket transport, which keeps every
/// other endpoint. Its connections are Kestrel's own socket connections, on Kestrel's memory pool.
/// </summary>
internal sealed class HandoffTransportFactory(byte[] secret, IMemoryPoolFactory<byte>? memoryPools, ILoggerFactory loggerFactory, Action? stopWorker = null)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is HandoffEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not HandoffEndPoint handoff)
        {
            throw new NotSupportedException($"The handoff transport binds only handoff endpoints, not {endpoint}.");
        }

        return new ValueTask<IConnectionListener>(HandoffConnectionListener.Bind(handoff, secret, ConnectionOptions(memoryPools), loggerFactory, stopWorker));
    }

    /// <summary>
    /// The socket connections' options. The public constructor leaves them on <c>MemoryPool&lt;byte&gt;.Shared</c>, on
    /// which Kestrel's chunked responses fail (measured: every <c>text/event-stream</c> answered 500), so they get the
    /// pool factory Kestrel's own socket transport uses, which the options only take internally.
    /// </summary>
    internal static SocketConnectionFactoryOptions ConnectionOptions(IMemoryPoolFactory<byte>? memoryPools)
    {
        var options = new SocketConnectionFactoryOptions();
        var property = typeof(SocketConnectionFactoryOptions).GetProperty("MemoryPoolFactory", BindingFlags.Instance | BindingFlags.NonPublic);
        if (memoryPools is not null && property?.PropertyType.IsInstanceOfType(memoryPools) == true && property.CanWrite)
        {
            property.SetValue(options, memoryPools);
        }

        return options;
    }

    /// <summary>Whether <see cref="ConnectionOptions"/> can give the connections Kestrel's pool on this framework.</summary>
    internal static bool CanUseKestrelMemoryPool =>
        typeof(SocketConnectionFactoryOptions).GetProperty("MemoryPoolFactory", BindingFlags.Instance | BindingFlags.NonPublic) is { CanWrite: true } property
        && property.PropertyType == typeof(IMemoryPoolFactory<byte>);
}
