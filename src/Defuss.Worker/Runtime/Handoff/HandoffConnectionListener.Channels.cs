using System.Security.Cryptography;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Defuss.Worker.Resilience;

namespace Defuss.Worker.Runtime.Handoff;

internal sealed partial class HandoffConnectionListener
{
    private const int ENotSock = 88;
    private const int EOpNotSupp = 95;

    /// <summary>The channels this listener reads now (a closed one is forgotten).</summary>
    internal int OpenChannels
    {
        get
        {
            lock (_gate)
            {
                return _channels.Count;
            }
        }
    }

    private unsafe void AcceptChannels()
    {
        var listenFd = (int)_listenSocket.Handle;
        Span<(uint Events, ulong Token)> ready = stackalloc (uint, ulong)[2];
        // Capped at 1 s, so that a worker out of descriptors takes channels again within a second of having some.
        var backoff = ErrorBackoff.ForAccept;
        while (!_unbound)
        {
            _ = _epoll.Wait(ready, -1);
            while (!_unbound)
            {
                var fd = LinuxSockets.Accept(listenFd, null, null, LinuxSockets.SockCloexec);
                if (fd < 0)
                {
                    var errno = LinuxSockets.LastError;
                    if (errno == LinuxSockets.EAgain)
                    {
                        break;
                    }

                    if (errno is LinuxSockets.EIntr or LinuxSockets.EConnAborted || _unbound)
                    {
                        continue;
                    }

                    if (errno is LinuxSockets.EBadF or LinuxSockets.EInval or ENotSock or EOpNotSupp)
                    {
                        // The socket itself is gone: no channel will ever come again, so this worker cannot serve.
                        WorkerLog.HandoffListenerFailed(_logger, _endPoint.Path, errno);
                        _stopWorker?.Invoke();
                        return;
                    }

                    // Out of descriptors or memory. The listening socket stays readable, so the level-triggered epoll
                    // would wake at once: pause instead, longer each time, until descriptors are free again.
                    var delay = backoff.Next();
                    if (_acceptFailures.TryEnter(out var occurrences))
                    {
                        WorkerLog.HandoffChannelAcceptFailed(_logger, errno, occurrences, (long)delay.TotalMilliseconds);
                    }

                    if (_unbinding.Wait(delay))
                    {
                        return;
                    }

                    continue;
                }

                backoff.Reset();
                Adopt(fd);
            }
        }
    }

    /// <summary>
    /// Accepts the channels the primary connected before unbinding shut the socket for reading: they are read like any
    /// other (the unbind stops their receiving with the rest), so the connections already sent on them are given back.
    /// Closing the socket with them still queued would close those connections under their clients.
    /// </summary>
    private unsafe void AcceptQueuedChannels()
    {
        var listenFd = (int)_listenSocket.Handle;
        while (true)
        {
            var fd = LinuxSockets.Accept(listenFd, null, null, LinuxSockets.SockCloexec);
            if (fd >= 0)
            {
                Adopt(fd);
            }
            else if (LinuxSockets.LastError is not (LinuxSockets.EIntr or LinuxSockets.EConnAborted))
            {
                // The queue is empty (or the worker is out of descriptors, and what is left in it is lost with the socket).
                return;
            }
        }
    }

    /// <summary>
    /// Reads channel <paramref name="fd"/> on a thread of its own. Listed even if unbinding has begun: the unbind, which
    /// lists the channels once this thread has stopped accepting, stops its receiving, and what it carries is given back.
    /// </summary>
    private void Adopt(int fd)
    {
        var channel = new WorkerHandoffChannel(fd, _logger);
        var reader = new Thread(() => ReadChannel(channel)) { IsBackground = true, Name = "Defuss handoff receive" };
        lock (_gate)
        {
            _channels.Add((channel, reader));
        }

        reader.Start();
    }

    private void ReadChannel(WorkerHandoffChannel channel)
    {
        try
        {
            if (!channel.ReadFrame(out var kind, out _, out var secret, out var descriptor))
            {
                if (_unbound)
                {
                    // Receiving stopped before the secret came: the primary's send of it failed, and it routes elsewhere.
                    Forget(channel);
                    return;
                }

                Reject(channel, "it closed before presenting a secret");
                return;
            }

            if (kind != HandoffFrameKind.Hello || !CryptographicOperations.FixedTimeEquals(secret, _secret))
            {
                Close(descriptor);
                Reject(channel, kind == HandoffFrameKind.Hello ? "wrong secret" : $"first frame {kind}");
                return;
            }

            while (channel.ReadFrame(out kind, out var id, out var prefix, out descriptor))
            {
                if (kind != HandoffFrameKind.Connection)
                {
                    Close(descriptor);
                    Fail(channel, $"a {kind} frame from the primary", broken: true);
                    return;
                }

                if (_reserve.ShouldGiveBack(descriptor))
                {
                    GiveBackNearTheLimit(channel, id, descriptor);
                    continue;
                }

                var pending = new PendingConnection(channel, id, descriptor, prefix.ToArray());
                if (_unbound || !_pending.Writer.TryWrite(pending))
                {
                    channel.Return(id, descriptor);
                }
            }

            if (!_unbound)
            {
                // The primary closed the channel (it is stopping, or dropped it): nothing can be reported on it any more.
                WorkerLog.HandoffChannelEnded(_logger, channel.OpenConnections);
                Forget(channel);
            }

            // Unbinding stopped receiving: the channel stays, to report the ends of the connections Kestrel drains.
        }
        catch (FormatException exception)
        {
            Fail(channel, exception.Message, broken: true);
        }
        catch (IOException exception)
        {
            Fail(channel, exception.Message, broken: false);
        }
    }

    /// <summary>The worker is near its descriptor limit: the connection goes back to the primary, unserved, as a stopping worker's would.</summary>
    private void GiveBackNearTheLimit(WorkerHandoffChannel channel, long id, int descriptor)
    {
        channel.Return(id, descriptor);
        if (_nearLimit.TryEnter(out var occurrences))
        {
            WorkerLog.HandoffNearDescriptorLimit(_logger, LinuxSockets.DescriptorLimit(), _reserve.OpenConnections, _reserve.Reserve, occurrences);
        }
    }

    private void Reject(WorkerHandoffChannel channel, string reason)
    {
        if (_channelFailures.TryEnter(out var occurrences))
        {
            WorkerLog.HandoffChannelRejected(_logger, reason, occurrences);
        }

        Forget(channel);
    }

    private void Fail(WorkerHandoffChannel channel, string reason, bool broken)
    {
        if (_channelFailures.TryEnter(out var occurrences))
        {
            if (broken)
            {
                WorkerLog.HandoffChannelBroken(_logger, reason, occurrences);
            }
            else
            {
                WorkerLog.HandoffChannelFailed(_logger, reason, channel.OpenConnections, occurrences);
            }
        }

        Forget(channel);
    }

    /// <summary>
    /// Closes <paramref name="channel"/> in both directions and forgets it. Called on its reading thread, which then
    /// ends: the connections already taken from it are served on, their ends unreported (the primary settles them when
    /// it sees the channel end), and any descriptor still in it is closed.
    /// </summary>
    private void Forget(WorkerHandoffChannel channel)
    {
        channel.Abort();
        lock (_gate)
        {
            _ = _channels.RemoveAll(entry => ReferenceEquals(entry.Channel, channel));
        }

        channel.Dispose();
    }
}
