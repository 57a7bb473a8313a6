using Defuss.Worker.Resilience;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Defuss.Actors.Routing;
using Defuss.Worker.Interop;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

/// <summary>
/// The intake of a front door that hands sockets off: accept(2) on a thread of its own, a non-blocking peek, and a
/// private epoll for the heads that come late. No .NET async operation ever touches a socket that a worker will own:
/// the socket engine would keep it in its epoll set after the handoff and be woken by a connection it no longer serves.
/// </summary>
internal sealed partial class FrontDoorListener
{
    /// <summary>
    /// <c>TCP_DEFER_ACCEPT</c>, in seconds: the kernel hands over a connection once its first bytes are there, so nearly
    /// every head is whole on the first peek. A client that sends nothing is accepted after about this long.
    /// </summary>
    private const int DeferAcceptSeconds = 1;

    private LateHeadWaiter? _lateHeads;

    /// <summary>Connections whose head the handoff intake is still waiting for.</summary>
    internal int LateHeadsWaiting => _lateHeads?.Waiting ?? 0;

    private Task StartHandoffIntake(Socket listenSocket)
    {
        var fd = (int)listenSocket.Handle;
        LinuxSockets.MakeBlocking(fd);
        _ = LinuxSockets.SetIntOption(fd, LinuxSockets.IpProtoTcp, LinuxSockets.TcpDeferAccept, DeferAcceptSeconds);
        _lateHeads = new LateHeadWaiter(_options.MaxHeaderBytes, _timeProvider, (head, sniff) => StartHandedConnection(head.Connection, sniff), _logger, _handoff!.Metrics);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                AcceptForHandoff(fd);
            }
            finally
            {
                stopped.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "Defuss front door accept",
        };
        thread.Start();
        return stopped.Task;
    }

    private static void WakeHandoffIntake(Socket listenSocket) => _ = LinuxSockets.Shutdown((int)listenSocket.Handle, LinuxSockets.ShutRead);

    private unsafe void AcceptForHandoff(int listenFd)
    {
        var stopping = _stopAccepting.Token;
        var peekBuffer = new byte[_options.MaxHeaderBytes];
        var address = stackalloc byte[128];
        var backoff = ErrorBackoff.ForAccept;
        var inspection = (long)(_options.RequestInspectionTimeout.TotalSeconds * _timeProvider.TimestampFrequency);
        while (!stopping.IsCancellationRequested)
        {
            uint addressLength = 128;
            var fd = LinuxSockets.Accept(listenFd, address, &addressLength, LinuxSockets.SockCloexec);
            if (fd < 0)
            {
                var errno = LinuxSockets.LastError;
                if (stopping.IsCancellationRequested || errno is LinuxSockets.EInval or LinuxSockets.EBadF)
                {
                    return;
                }

                if (errno is LinuxSockets.EIntr or LinuxSockets.EConnAborted or LinuxSockets.EAgain)
                {
                    continue;
                }

                // Out of descriptors or buffers: a pause lets connections close before we accept again.
                var delay = backoff.Next();
                FrontDoorLog.AcceptFailed(_logger, errno, delay.TotalMilliseconds);
                if (stopping.WaitHandle.WaitOne(delay))
                {
                    return;
                }

                continue;
            }

            backoff.Reset();
            if (AtCapacity)
            {
                RejectOverCapacity(fd);
                continue;
            }

            var connection = new FrontDoorConnection(++_lastConnectionId, fd, ClientAddress(address, addressLength));
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                FrontDoorLog.ConnectionAccepted(_logger, connection.Id, connection.RemoteEndPoint);
            }

            Track(connection);
            var head = new RawHead(connection, _options.MaxHeaderBytes, _timeProvider.GetTimestamp() + inspection, _lateHeads!.Budget);
            if (head.Step(peekBuffer) is { } sniff)
            {
                StartHandedConnection(connection, sniff);
            }
            else
            {
                _lateHeads!.Add(head);
            }
        }
    }

    // Runs up to the routing ask on the calling thread (the accept thread, or the late-head waiter's), then returns.
    private void StartHandedConnection(FrontDoorConnection connection, SniffResult sniff) => _ = RunAsync(connection, RouteAsync(connection, sniff));

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
