using Defuss.Worker.Resilience;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Defuss.Actors.Routing;
using Defuss.Worker.Interop;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

/// <summary>
/// The intake of a front door that hands sockets off: accept(2) on the front door's loop (<see cref="FrontDoorLoop"/>),
/// draining the queue at each wake-up, a non-blocking peek, and a private epoll for the heads that come late. No .NET
/// async operation ever touches a socket that a worker will own: the socket engine would keep it in its epoll set after
/// the handoff and be woken by a connection it no longer serves.
/// </summary>
internal sealed partial class FrontDoorListener : ILoopWatcher
{
    /// <summary>
    /// <c>TCP_DEFER_ACCEPT</c>, in seconds: the kernel hands over a connection once its first bytes are there, so nearly
    /// every head is whole on the first peek. A client that sends nothing is accepted after about this long.
    /// </summary>
    private const int DeferAcceptSeconds = 1;

    /// <summary>The most connections one wake-up accepts before the loop serves the rest of what is ready (their routing).</summary>
    private const int AcceptsPerTurn = 128;

    private LateHeadWaiter? _lateHeads;
    private FrontDoorLoop? _loop;
    private int _listenFd = -1;
    private ulong _listenWatch;
    private byte[]? _peekBuffer;

    /// <summary><see cref="FrontDoorOptions.RequestInspectionTimeout"/> in timestamp ticks, for each head's deadline.</summary>
    private long _inspectionTicks;
    private ErrorBackoff _acceptBackoff = ErrorBackoff.ForAccept;
    private readonly TaskCompletionSource _intakeStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Connections whose head the handoff intake is still waiting for.</summary>
    internal int LateHeadsWaiting => _lateHeads?.Waiting ?? 0;

    private Task StartHandoffIntake(Socket listenSocket)
    {
        var fd = (int)listenSocket.Handle;
        LinuxSockets.MakeNonBlocking(fd);
        _ = LinuxSockets.SetIntOption(fd, LinuxSockets.IpProtoTcp, LinuxSockets.TcpDeferAccept, DeferAcceptSeconds);
        _lateHeads = new LateHeadWaiter(_options.MaxHeaderBytes, _timeProvider, (head, sniff) => StartHandedConnection(head.Connection, sniff), _logger, _handoff!.Metrics);
        _peekBuffer = new byte[_options.MaxHeaderBytes];
        _inspectionTicks = (long)(_options.RequestInspectionTimeout.TotalSeconds * _timeProvider.TimestampFrequency);
        _listenFd = fd;
        _loop = _handoff.Loop;
        _listenWatch = _loop.Watch(fd, this);
        return _intakeStopped.Task;
    }

    /// <summary>Stops accepting, on the loop (where the accepts run); the intake's task completes then.</summary>
    private void StopHandoffIntake() => _loop!.Post(() =>
    {
        if (_listenWatch != 0)
        {
            _loop!.Unwatch(_listenFd, _listenWatch);
            _listenWatch = 0;
        }

        _intakeStopped.TrySetResult();
    });

    /// <summary>The listening socket is readable: accepts what is queued, up to <see cref="AcceptsPerTurn"/>.</summary>
    void ILoopWatcher.OnReady(uint events)
    {
        for (var i = 0; i < AcceptsPerTurn && _listenWatch != 0; i++)
        {
            if (!AcceptOne())
            {
                return;
            }
        }
    }

    /// <summary>Accepts one connection and starts it on its way; false when the queue is empty or accepting pauses.</summary>
    private unsafe bool AcceptOne()
    {
        var address = stackalloc byte[128];
        uint addressLength = 128;
        var fd = LinuxSockets.Accept(_listenFd, address, &addressLength, LinuxSockets.SockCloexec);
        if (fd < 0)
        {
            var errno = LinuxSockets.LastError;
            if (errno is LinuxSockets.EAgain)
            {
                return false;
            }

            if (errno is LinuxSockets.EIntr or LinuxSockets.EConnAborted)
            {
                return true;
            }

            // Out of descriptors or buffers: the socket stays readable, so it is not watched during a pause that lets
            // connections close before we accept again.
            var delay = _acceptBackoff.Next();
            FrontDoorLog.AcceptFailed(_logger, errno, delay.TotalMilliseconds);
            _loop!.Unwatch(_listenFd, _listenWatch);
            _listenWatch = 0;
            _loop.After(delay, ResumeAccepting);
            return false;
        }

        _acceptBackoff.Reset();
        if (AtCapacity)
        {
            RejectOverCapacity(fd);
            return true;
        }

        var connection = new FrontDoorConnection(++_lastConnectionId, fd, ClientAddress(address, addressLength));
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            FrontDoorLog.ConnectionAccepted(_logger, connection.Id, connection.RemoteEndPoint);
        }

        Track(connection);
        var head = new RawHead(connection, _options.MaxHeaderBytes, connection.AcceptedAt + _inspectionTicks, _lateHeads!.Budget);
        if (head.Step(_peekBuffer!) is { } sniff)
        {
            StartHandedConnection(connection, sniff);
        }
        else
        {
            _lateHeads!.Add(head);
        }

        return true;
    }

    private void ResumeAccepting()
    {
        if (!_stopAccepting.IsCancellationRequested && _listenWatch == 0 && !_intakeStopped.Task.IsCompleted)
        {
            _listenWatch = _loop!.Watch(_listenFd, this);
        }
    }

    // Runs up to the routing ask on the calling thread (the accept thread, or the late-head waiter's), then returns.
    private void StartHandedConnection(FrontDoorConnection connection, SniffResult sniff) => _ = RunAsync(connection, sniff);

    /// <summary>The worker began to stop before it served the connection, and gave it back untouched: it is ours again.</summary>
    private void OnReturned(FrontDoorConnection connection, BackendCandidate backend, int descriptor)
    {
        connection.Descriptor = descriptor;
        _handoff!.Metrics?.ConnectionReturned();
        FrontDoorLog.ConnectionReturned(_logger, connection.Id, backend.Id);
    }

    /// <summary>
    /// No worker took a connection meant for handoff, so it will never be handed off and .NET may own its socket from
    /// here, to answer it. False when there is nothing left to answer (the front door is aborting, or the socket is gone).
    /// </summary>
    private bool TakeOverRefusedSocket(FrontDoorConnection connection)
    {
        if (_abortConnections.IsCancellationRequested || connection.Descriptor < 0)
        {
            return false;
        }

        connection.Client = new Socket(new SafeSocketHandle(connection.Descriptor, ownsHandle: true));
        connection.Descriptor = -1;
        return true;
    }

    private static unsafe IPEndPoint? ClientAddress(byte* address, uint length)
    {
        var family = *(ushort*)address;
        var port = BinaryPrimitives.ReverseEndianness(*(ushort*)(address + 2));
        if (family == LinuxSockets.AfInet && length >= 16)
        {
            return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(address + 4, 4)), port);
        }

        if (family == LinuxSockets.AfInet6 && length >= 28)
        {
            var ip = new IPAddress(new ReadOnlySpan<byte>(address + 8, 16), *(uint*)(address + 24));
            return new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, port);
        }

        return null;
    }
}
