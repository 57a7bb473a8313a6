using System.Buffers;
using System.Net.Sockets;
using Defuss.Actors.Routing;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

internal sealed partial class FrontDoorListener
{
    // How long a rejected client gets to read its 503 before the socket closes under it.
    private static readonly TimeSpan LingerTimeout = TimeSpan.FromSeconds(2);

    /// <summary>A proxied connection's lifetime: sniff, choose, deliver (or reject). It never throws.</summary>
    internal Task RunConnectionAsync(FrontDoorConnection connection) => RunAsync(connection, sniffed: null);

    /// <summary>
    /// A connection's lifetime in either mode, as one task: sniff (a proxied connection; a handed-off one comes sniffed),
    /// then up to <see cref="FrontDoorOptions.ConnectAttempts"/> backends, proxying the connection or handing its socket
    /// off, and a 503 (HTTP/1) when none takes it; then the connection is forgotten. One method, so that a connection
    /// costs one state machine. It never throws.
    /// </summary>
    private async Task RunAsync(FrontDoorConnection connection, SniffResult? sniffed)
    {
        try
        {
            var sniff = sniffed ?? await SniffProxiedAsync(connection);
            if (sniff.ClientGone)
            {
                FrontDoorLog.ClientClosedBeforeRequest(_logger, connection.Id);
                return;
            }

            _metrics?.HeadSniffed(_timeProvider.GetElapsedTime(connection.AcceptedAt));
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                FrontDoorLog.RequestHeadSniffed(_logger, connection.Id, sniff.Request, sniff.Request.Protocol, sniff.Prefix.Length);
            }

            var aborted = _abortConnections.Token;
            var attempts = Math.Max(1, _options.ConnectAttempts);
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                BackendCandidate? backend;
                try
                {
                    backend = await _selector.ChooseAsync(sniff.Request, aborted);
                }
                catch (Exception exception) when (!aborted.IsCancellationRequested)
                {
                    FrontDoorLog.BackendSelectorFailed(_logger, connection.Id, exception);
                    backend = null;
                }

                if (attempt == 1)
                {
                    _metrics?.Routed(_timeProvider.GetElapsedTime(connection.AcceptedAt));
                }

                if (backend is null)
                {
                    break;
                }

                FrontDoorLog.BackendChosen(_logger, connection.Id, backend.Id, attempt);
                try
                {
                    if (_handoff is null)
                    {
                        await _delivery.DeliverAsync(connection.Client!, sniff.Prefix, backend, _stopAccepting.Token, aborted);
                        return;
                    }

                    var returned = await _handoff.DeliverAsync(connection, sniff.Prefix, backend, aborted);
                    if (returned < 0)
                    {
                        FrontDoorLog.HandedOffConnectionClosed(_logger, connection.Id, backend.Id);
                        return;
                    }

                    OnReturned(connection, backend, returned);
                }
                catch (BackendConnectException exception) when (exception.PrimaryShortOfResources)
                {
                    // The primary itself is short (of descriptors): the worker is not to blame, and no other would fare better.
                    if (_shortageLog.TryEnter(out var occurrences))
                    {
                        FrontDoorLog.PrimaryShortOfResources(_logger, connection.Id, exception.Reason, occurrences);
                    }

                    break;
                }
                catch (BackendConnectException exception)
                {
                    // Nothing reached this backend, and the prefix is still in hand: another one can take the connection.
                    OnConnectFailed(connection, backend, exception, attempt, attempts);
                }
                finally
                {
                    _selector.Release(backend);
                }
            }

            if (_handoff is null || TakeOverRefusedSocket(connection))
            {
                await RejectAsync(connection, sniff);
            }
        }
        catch (Exception exception) when (SocketErrors.IsConnectionEnd(exception) || exception is OperationCanceledException)
        {
            FrontDoorLog.ConnectionAborted(_logger, connection.Id, exception is SocketException socketException ? socketException.SocketErrorCode.ToString() : exception.GetType().Name);
        }
        catch (Exception exception)
        {
            FrontDoorLog.ConnectionFailed(_logger, connection.Id, exception);
        }
        finally
        {
            connection.Close();
            Forget(connection);
            connection.Complete();
        }
    }

    private ValueTask<SniffResult> SniffProxiedAsync(FrontDoorConnection connection)
    {
        var client = connection.Client!;
        try
        {
            client.NoDelay = true;
        }
        catch (SocketException)
        {
            // A client that reset right after the handshake; the first read reports it as the normal end it is.
        }

        return _sniffer.SniffAsync(client, _abortConnections.Token);
    }

    /// <summary>A backend took nothing of the connection: it is reported (and so ejected), and the next attempt may follow.</summary>
    private void OnConnectFailed(FrontDoorConnection connection, BackendCandidate backend, BackendConnectException exception, int attempt, int attempts)
    {
        _selector.ReportConnectFailure(backend, exception.Reason);
        _metrics?.BackendConnectFailed(backend.Id);
        FrontDoorLog.BackendConnectFailed(_logger, connection.Id, backend.Id, backend.Endpoint, exception.Reason, attempt);
        if (attempt == attempts)
        {
            FrontDoorLog.ConnectAttemptsExhausted(_logger, connection.Id, attempts);
        }
    }

    private async Task RejectAsync(FrontDoorConnection connection, SniffResult sniff)
    {
        var protocol = sniff.Request.Protocol;
        if (protocol == RequestProtocol.Unknown && sniff.Request.RawHead.IsEmpty && sniff.Prefix.IsEmpty)
        {
            // Nothing came within the inspection timeout (a slow client, a front door just started), so nothing was
            // read: look again, since an HTTP/1 client that cannot be served gets a 503, not a reset.
            protocol = (await _sniffer.SniffAsync(connection.Client!, _abortConnections.Token)).Request.Protocol;
        }

        if (protocol != RequestProtocol.Http1)
        {
            FrontDoorLog.NoBackendAvailable(_logger, connection.Id, "closing the connection");
            return;
        }

        FrontDoorLog.NoBackendAvailable(_logger, connection.Id, "answering 503");
        _metrics?.ServiceUnavailableSent("no_backend");
        var client = connection.Client!;
        await client.SendAsync(_serviceUnavailable, SocketFlags.None, _abortConnections.Token);
        client.Shutdown(SocketShutdown.Send);
        await DrainAsync(client);
    }

    // Closing a socket with unread bytes (the peeked head, a body) sends an RST that can destroy the 503 before
    // the client reads it; reading until the client closes lets the close be a FIN.
    private async Task DrainAsync(Socket client)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        using var timeout = new CancellationTokenSource(LingerTimeout, _timeProvider);
        using var link = _abortConnections.Token.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        try
        {
            while (await client.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException || SocketErrors.IsConnectionEnd(exception))
        {
            // The client lingers or left: either way the 503 was sent.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
