using System.Net;
using System.Net.Sockets;
using Defuss.Worker.Resilience;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

// The listening socket and its accept loop: bind with a clear error, accept with backoff, turn away what is over capacity.
internal sealed partial class FrontDoorListener
{
    private static Socket Bind(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(ListenBacklog);
            return socket;
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            var why = exception.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? "the port is already in use (choose a free Defuss:Port, or 0 for any)"
                : exception.Message;
            throw new InvalidOperationException($"The front door cannot listen on {endPoint} (address {endPoint.Address}, port {endPoint.Port}): {why}.", exception);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync()
    {
        var listenSocket = _listenSocket!;
        var stopping = _stopAccepting.Token;
        var backoff = ErrorBackoff.ForAccept;
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listenSocket.AcceptAsync(stopping);
                backoff.Reset();
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                // The client gave up before we accepted it: nothing to do.
                continue;
            }
            catch (Exception exception)
            {
                // Out of descriptors or buffers: a pause lets connections close before we accept again.
                var delay = backoff.Next();
                FrontDoorLog.AcceptFailed(_logger, delay.TotalMilliseconds, exception);
                try
                {
                    await Task.Delay(delay, _timeProvider, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            if (AtCapacity)
            {
                RejectOverCapacity(client);
                continue;
            }

            Dispatch(client);
        }
    }

    private void Dispatch(Socket client)
    {
        var connection = new FrontDoorConnection(++_lastConnectionId, client, this);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var remoteEndPoint = RemoteEndPointOf(client);
            FrontDoorLog.ConnectionAccepted(_logger, connection.Id, remoteEndPoint);
        }

        Track(connection);
        ThreadPool.UnsafeQueueUserWorkItem(connection, preferLocal: false);
    }

    private static EndPoint? RemoteEndPointOf(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (Exception exception) when (SocketErrors.IsConnectionEnd(exception))
        {
            return null;
        }
    }
}
