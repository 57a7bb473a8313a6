using System.Collections.Concurrent;
using System.Net.Sockets;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;

namespace Defuss.FrontDoor;

/// <summary>
/// The primary's end of one worker incarnation's handoff channel: sends it client sockets, and hears (on a reader
/// thread of its own) when each one has ended or is given back. When the channel ends, the worker is gone, and so
/// is every connection it still had.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The reader thread disposes the channel as it ends; Close() ends it.")]
internal sealed class HandoffChannel
{
    private readonly DescriptorChannel _channel;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<int>> _open = new();
    private readonly Thread _reader;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HandoffChannel(int fd, string path)
    {
        _channel = new DescriptorChannel(fd);
        Path = path;
        _reader = new Thread(ReadReports) { IsBackground = true, Name = "Defuss handoff reports" };
    }

    /// <summary>The worker's handoff socket.</summary>
    public string Path { get; }

    /// <summary>Completes when the channel has ended and every connection on it has been settled.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Connects to the worker's handoff socket and presents its secret; throws <see cref="BackendConnectException"/>.</summary>
    public static HandoffChannel Connect(string path, ReadOnlySpan<byte> secret)
    {
        int fd;
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException exception)
            {
                throw new BackendConnectException(exception.SocketErrorCode.ToString(), exception);
            }

            // A descriptor of our own, close-on-exec, outside .NET's socket: only blocking libc calls touch it.
            fd = LinuxSockets.Fcntl((int)socket.Handle, LinuxSockets.FDupFdCloexec, 0);
            if (fd < 0)
            {
                throw new BackendConnectException($"its handoff socket could not be kept (errno {LinuxSockets.LastError})");
            }
        }

        var channel = new HandoffChannel(fd, path);
        if (channel._channel.Send(HandoffFrameKind.Hello, 0, secret, -1) != ChannelSendResult.Sent)
        {
            channel._channel.Dispose();
            throw new BackendConnectException("its handoff socket closed before the secret was sent");
        }

        channel._reader.Start();
        return channel;
    }

    /// <summary>
    /// Sends <paramref name="descriptor"/> as connection <paramref name="id"/>. On <see cref="ChannelSendResult.Sent"/>
    /// the returned task completes with -1 when the connection has ended in the worker, or with a descriptor (now the
    /// caller's) when the worker gave it back unserved; otherwise it is null and nothing reached the worker.
    /// </summary>
    public (ChannelSendResult Result, Task<int>? Outcome) Send(long id, ReadOnlySpan<byte> prefix, int descriptor)
    {
        // Registered first: the worker may report the end before sendmsg has returned here. The front door's continuation
        // (release the lease, forget the connection) is short and never blocks, so it runs on the reports thread: one
        // thread-pool hop less per connection.
        var outcome = new TaskCompletionSource<int>();
        _open[id] = outcome;
        var result = _channel.Send(HandoffFrameKind.Connection, id, prefix, descriptor);
        if (result != ChannelSendResult.Sent)
        {
            _open.TryRemove(id, out _);
            return (result, null);
        }

        if (_ended.Task.IsCompleted && _open.TryRemove(id, out _))
        {
            // The channel ended as we sent: the worker will never report on it.
            outcome.TrySetResult(-1);
        }

        return (result, outcome.Task);
    }

    /// <summary>Stops tracking connection <paramref name="id"/> (the front door gave up waiting for it).</summary>
    public void Forget(long id) => _open.TryRemove(id, out _);

    /// <summary>Ends the channel: the reader wakes, settles every open connection as ended, and closes the socket.</summary>
    public void Close() => _channel.Shutdown(LinuxSockets.ShutReadWrite);

    private void ReadReports()
    {
        try
        {
            while (_channel.ReadFrame(out var kind, out var id, out _, out var descriptor))
            {
                var known = _open.TryRemove(id, out var outcome);
                switch (kind)
                {
                    case HandoffFrameKind.Closed when known:
                        outcome!.TrySetResult(-1);
                        break;
                    case HandoffFrameKind.Returned when known:
                        outcome!.TrySetResult(descriptor);
                        break;
                    default:
                        if (descriptor >= 0)
                        {
                            // Given back after the front door stopped waiting for it: nobody will serve it.
                            _ = LinuxSockets.Close(descriptor);
                        }

                        break;
                }
            }
        }
        catch (FormatException)
        {
            // A worker that breaks the protocol is treated as gone.
        }
        finally
        {
            _ended.TrySetResult();
            foreach (var id in _open.Keys)
            {
                if (_open.TryRemove(id, out var outcome))
                {
                    outcome.TrySetResult(-1);
                }
            }

            _channel.Dispose();
        }
    }
}
