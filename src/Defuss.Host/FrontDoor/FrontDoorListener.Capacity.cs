using System.Net.Sockets;
using Defuss.Worker.Interop;

namespace Defuss.FrontDoor;

internal sealed partial class FrontDoorListener
{
    private const int ShutWrite = 1;

    private int _open;
    private long _rejected;

    /// <summary>How many connections are open now: proxied, or handed off and not yet ended in their worker.</summary>
    public int ActiveConnections => Volatile.Read(ref _open);

    /// <summary>How many new connections were turned away because <see cref="FrontDoorOptions.MaxConnections"/> were open.</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejected);

    /// <summary>Whether one more connection would go beyond <see cref="FrontDoorOptions.MaxConnections"/>.</summary>
    private bool AtCapacity => Volatile.Read(ref _open) >= _options.MaxConnections;

    /// <summary>Starts tracking <paramref name="connection"/>; its lifetime's end (<see cref="Forget"/>) stops it.</summary>
    private void Track(FrontDoorConnection connection)
    {
        _connections[connection.Id] = connection;
        Interlocked.Increment(ref _open);
        connection.AcceptedAt = _timeProvider.GetTimestamp();
        _metrics?.ConnectionAccepted();
    }

    private void Forget(FrontDoorConnection connection)
    {
        if (_connections.TryRemove(connection.Id, out _))
        {
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>
    /// Turns away a client of the proxied intake at capacity, without waiting for anything: a 503 (an HTTP/1 client reads
    /// it; any other sees the connection close), then the socket closes.
    /// </summary>
    private void RejectOverCapacity(Socket client)
    {
        OnRejected();
        try
        {
            client.Blocking = false;
            _ = client.Send(_serviceUnavailable, SocketFlags.None, out _);
            client.Shutdown(SocketShutdown.Send);
            DiscardAvailable(client);
        }
        catch (Exception exception) when (SocketErrors.IsConnectionEnd(exception) || exception is ObjectDisposedException)
        {
            // The client is gone already.
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>The same for a client of the handoff intake, which only ever touches its descriptor with plain calls.</summary>
    private unsafe void RejectOverCapacity(int descriptor)
    {
        OnRejected();
        fixed (byte* response = _serviceUnavailable)
        {
            _ = LinuxSockets.Send(descriptor, response, (nuint)_serviceUnavailable.Length, LinuxSockets.MsgDontWait | LinuxSockets.MsgNoSignal);
        }

        _ = LinuxSockets.Shutdown(descriptor, ShutWrite);
        var discard = stackalloc byte[4096];
        for (var i = 0; i < 16 && LinuxSockets.Receive(descriptor, discard, 4096, LinuxSockets.MsgDontWait) > 0; i++)
        {
        }

        _ = LinuxSockets.Close(descriptor);
    }

    // A close with unread bytes (the request head) resets the connection, which can destroy the 503 before the client has
    // read it: read what has arrived, without waiting for more.
    private static void DiscardAvailable(Socket client)
    {
        Span<byte> discard = stackalloc byte[4096];
        for (var i = 0; i < 16 && client.Available > 0; i++)
        {
            if (client.Receive(discard, SocketFlags.None, out var error) <= 0 || error != SocketError.Success)
            {
                return;
            }
        }
    }

    private void OnRejected()
    {
        var rejected = Interlocked.Increment(ref _rejected);
        _metrics?.ConnectionAccepted();
        _metrics?.ConnectionRejected("capacity");
        _metrics?.ServiceUnavailableSent("capacity");
        if (_overCapacityLog.TryEnter(out _))
        {
            FrontDoorLog.OverCapacity(_logger, _options.MaxConnections, rejected);
        }
    }
}
