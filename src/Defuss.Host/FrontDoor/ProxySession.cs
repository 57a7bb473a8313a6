using System.Buffers;
using System.Net.Sockets;

namespace Defuss.FrontDoor;

/// <summary>
/// One proxied connection: the client socket and the backend socket, pumped both ways with pooled buffers.
/// It owns both sockets and closes them when it ends.
/// </summary>
/// <remarks>
/// Each direction awaits its write before its next read, so a slow reader slows its writer (back pressure). A direction
/// holds a buffer only while bytes flow: it waits for them with a zero-byte read, and gives the buffer back once a read
/// has drained what had arrived. A FIN is passed on as a half-close (<see cref="FrontDoorOptions.AllowHalfOpen"/>);
/// a reset or an error on either side aborts both (an RST to the other peer, so that it cannot mistake a cut
/// response for a whole one).
/// </remarks>
internal sealed class ProxySession
{
    /// <summary>Bytes per direction per read: large enough for bulk transfers, small enough for many connections.</summary>
    internal const int BufferSize = 32 * 1024;

    private readonly Socket _client;
    private readonly Socket _backend;
    private readonly bool _allowHalfOpen;
    private readonly TimeProvider _timeProvider;
    private long _lastActivity;
    private long _halfClosedSince;
    private int _closed;
    private int _aborted;
    private int _draining;
    private int _backendEnded;
    private int _buffersHeld;

    public ProxySession(Socket client, Socket backend, bool allowHalfOpen, TimeProvider? timeProvider = null)
    {
        _client = client;
        _backend = backend;
        _allowHalfOpen = allowHalfOpen;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _lastActivity = _timeProvider.GetTimestamp();
    }

    /// <summary>When a byte last moved either way (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>When one side ended while the other had not (a timestamp), or 0 while neither has.</summary>
    public long HalfClosedSince => Volatile.Read(ref _halfClosedSince);

    /// <summary>Whether the session has ended (closed or aborted).</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Bytes read from the client and written to the backend, the prefix included.</summary>
    public long BytesFromClient { get; private set; }

    /// <summary>Bytes read from the backend and written to the client.</summary>
    public long BytesToClient { get; private set; }

    /// <summary>How many pooled buffers the session holds now: one per direction while bytes flow, none while it is idle.</summary>
    public int BuffersHeld => Volatile.Read(ref _buffersHeld);

    /// <summary>Whether the session ended with a reset (either side's, or <see cref="Abort"/>).</summary>
    public bool WasAborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>
    /// Writes <paramref name="header"/> and <paramref name="prefix"/> to the backend in one send, then pumps until both
    /// directions end; both sockets are then closed. The header is Defuss's own, so it is not counted as client bytes.
    /// </summary>
    public async Task RunAsync(ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> prefix)
    {
        try
        {
            try
            {
                // Reads after a zero-byte wait must never wait themselves (see RelayAsync); async operations are unaffected.
                _client.Blocking = false;
                _backend.Blocking = false;
            }
            catch (Exception exception) when (SocketErrors.IsConnectionEnd(exception))
            {
                Abort();
                return;
            }

            if (!header.IsEmpty || !prefix.IsEmpty)
            {
                try
                {
                    await SendFirstAsync(header, prefix);
                    BytesFromClient = prefix.Length;
                }
                catch (Exception exception) when (SocketErrors.IsConnectionEnd(exception))
                {
                    Abort();
                    return;
                }
            }

            var upstream = PumpAsync(_client, _backend, fromClient: true);
            var downstream = PumpAsync(_backend, _client, fromClient: false);
            await Task.WhenAll(upstream, downstream);
        }
        finally
        {
            Close();
        }
    }

    private async Task SendFirstAsync(ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> prefix)
    {
        if (header.IsEmpty || prefix.IsEmpty)
        {
            await SendAllAsync(_backend, header.IsEmpty ? prefix : header);
            return;
        }

        // One send, so that the worker reads its header and the request's head together.
        var buffer = ArrayPool<byte>.Shared.Rent(header.Length + prefix.Length);
        try
        {
            header.CopyTo(buffer);
            prefix.CopyTo(buffer.AsMemory(header.Length));
            await SendAllAsync(_backend, buffer.AsMemory(0, header.Length + prefix.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Ends the session at once: both peers see a reset. Safe to call from any thread, any number of times.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            Volatile.Write(ref _aborted, 1);
            _client.Close(0);
            _backend.Close(0);
        }
    }

    /// <summary>
    /// The front door is shutting down: once the worker has ended its side (now or later), close the client too rather
    /// than wait for it, because an idle keep-alive client never closes by itself.
    /// </summary>
    public void BeginDrain()
    {
        Interlocked.Exchange(ref _draining, 1);
        if (Volatile.Read(ref _backendEnded) != 0)
        {
            Close();
        }
    }

    /// <summary>Ends the session gracefully: both sockets close (a FIN where nothing is left unread). Safe from any thread.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _client.Dispose();
            _backend.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool fromClient)
    {
        try
        {
            while (true)
            {
                // Wait for bytes without holding a buffer (a zero-byte read): an idle keep-alive connection, the common
                // case, then costs the primary its two sockets and nothing more.
                _ = await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                if (!await RelayAsync(from, to, fromClient))
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (SocketErrors.IsConnectionEnd(exception))
        {
            // A reset on either side, or our own close after the other direction ended the session.
            Abort();
        }
        catch
        {
            Abort();
            throw;
        }
    }

    /// <summary>
    /// Moves the bytes that have arrived, with a pooled buffer held only while they flow: reads without waiting (the
    /// sockets are non-blocking) while each read fills the buffer (a bulk transfer), and gives the buffer back as soon as
    /// a read finds nothing more, or less than a buffer. False at the end of the stream.
    /// </summary>
    private async Task<bool> RelayAsync(Socket from, Socket to, bool fromClient)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        Interlocked.Increment(ref _buffersHeld);
        try
        {
            while (true)
            {
                // A read that would wait (nothing more has come, or the zero-byte read woke for another event) ends the
                // relay: the direction waits again without the buffer.
                var read = from.Receive(buffer, SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                {
                    return true;
                }

                if (error != SocketError.Success)
                {
                    throw new SocketException((int)error);
                }

                Volatile.Write(ref _lastActivity, _timeProvider.GetTimestamp());
                if (read == 0)
                {
                    OnEndOfStream(fromClient);
                    return false;
                }

                await SendAllAsync(to, buffer.AsMemory(0, read));
                if (fromClient)
                {
                    BytesFromClient += read;
                }
                else
                {
                    BytesToClient += read;
                }

                if (read < buffer.Length)
                {
                    return true;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _buffersHeld);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void OnEndOfStream(bool fromClient)
    {
        // Marked before the FIN is passed on, so that whoever sees the FIN sees the half-close too.
        Interlocked.CompareExchange(ref _halfClosedSince, _timeProvider.GetTimestamp(), 0);
        var writer = fromClient ? _backend : _client;
        ShutdownSend(writer);
        if (!fromClient)
        {
            Interlocked.Exchange(ref _backendEnded, 1);
            if (Volatile.Read(ref _draining) != 0)
            {
                Close();
                return;
            }
        }

        if (!_allowHalfOpen)
        {
            // Both sides send FIN before the close, so the close is graceful even with a read still pending.
            ShutdownSend(fromClient ? _client : _backend);
            Close();
        }
    }

    private static void ShutdownSend(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (SocketErrors.IsConnectionEnd(exception))
        {
            // The peer is already gone; the other direction will see it.
        }
    }

    private static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None);
            data = data[sent..];
        }
    }
}
