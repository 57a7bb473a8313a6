using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Defuss.Worker.Runtime.Handoff;

/// <summary>
/// A handed-off connection as Kestrel sees it: Kestrel's own socket connection, whose disposal reports the end to the
/// primary. Kestrel disposes every connection its listener accepted, whatever becomes of it, also one it refuses before
/// any middleware runs (<c>MaxConcurrentConnections</c>), so every handed-off connection reports its end exactly once,
/// and gives its descriptor back to the worker's <see cref="DescriptorReserve"/>.
/// </summary>
internal sealed class HandoffConnection(ConnectionContext inner, HandoffConnectionFeature feature, DescriptorReserve? reserve = null) : ConnectionContext
{
    public override string ConnectionId
    {
        get => inner.ConnectionId;
        set => inner.ConnectionId = value;
    }

    public override IFeatureCollection Features => inner.Features;

    public override IDictionary<object, object?> Items
    {
        get => inner.Items;
        set => inner.Items = value;
    }

    public override IDuplexPipe Transport
    {
        get => inner.Transport;
        set => inner.Transport = value;
    }

    public override EndPoint? LocalEndPoint
    {
        get => inner.LocalEndPoint;
        set => inner.LocalEndPoint = value;
    }

    public override EndPoint? RemoteEndPoint
    {
        get => inner.RemoteEndPoint;
        set => inner.RemoteEndPoint = value;
    }

    public override CancellationToken ConnectionClosed
    {
        get => inner.ConnectionClosed;
        set => inner.ConnectionClosed = value;
    }

    public override void Abort() => inner.Abort();

    public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            // After the socket is closed: the primary's count never runs ahead of the connections the worker holds.
            feature.ReportClosed();
            reserve?.Closed();
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
