using Defuss.Worker.Resilience;
using System.Collections.Concurrent;
using Defuss.Actors.Routing;
using Defuss.Telemetry;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;
using Defuss.Worker.Runtime;
using Microsoft.Extensions.Logging;

namespace Defuss.FrontDoor;

/// <summary>
/// Delivers a connection by handing its socket to the worker (Linux): the descriptor and the head bytes the front door
/// had to read go over the worker's handoff channel, the primary closes its own descriptor, and from then on the
/// worker's Kestrel alone serves the connection. The delivery's task still lasts as long as the connection, so that
/// the router's connection count and graceful shutdown see it; the worker reports its end.
/// </summary>
/// <remarks>
/// One channel per worker process is kept for sending. A channel that ends (the worker failed on it, broke the protocol,
/// or is gone) is forgotten, and the next connection to that worker opens a new one. A channel that refuses a connection
/// while still open (the worker stopped receiving on it) is retired: it stays only to hear the reports of what it
/// carried, and the next connection opens a new channel (a stopping worker refuses it, and is ejected). At most one
/// retired channel per worker is kept: an older one is closed.
/// </remarks>
internal sealed class HandoffDelivery : IDisposable
{
    private readonly ConcurrentDictionary<string, HandoffChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HandoffChannel> _retired = new(StringComparer.Ordinal);
    private readonly Lock _connectGate = new();
    private readonly ILogger _logger;
    private readonly DefussMetrics? _metrics;
    private readonly LogThrottle _breaks;
    private readonly bool _ownsLoop;
    private long _handedOff;

    /// <param name="logger">Where the channels' openings, closings and breaks are logged.</param>
    /// <param name="metrics">Where handoffs are counted, if anywhere.</param>
    /// <param name="timeProvider">The clock of the log throttle.</param>
    /// <param name="loop">
    /// The loop that reads the workers' reports and on which the front door accepts; when null, the delivery starts one of
    /// its own and stops it in <see cref="Dispose"/>.
    /// </param>
    public HandoffDelivery(ILogger<HandoffDelivery> logger, DefussMetrics? metrics = null, TimeProvider? timeProvider = null, FrontDoorLoop? loop = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _metrics = metrics;
        _breaks = new LogThrottle(timeProvider ?? TimeProvider.System, LogThrottle.DefaultInterval);
        _ownsLoop = loop is null;
        Loop = loop ?? new FrontDoorLoop(logger, timeProvider);
    }

    /// <summary>The front door's loop: the accepts, the routing answers, the sends and the reports all run on it.</summary>
    public FrontDoorLoop Loop { get; }

    /// <summary>Connections handed to a worker so far.</summary>
    public long HandedOff => Interlocked.Read(ref _handedOff);

    /// <summary>Where <see cref="DefussMetrics.ConnectionReturned"/> is counted, if anywhere.</summary>
    internal DefussMetrics? Metrics => _metrics;

    /// <summary>Channels open for sending now, one per worker process that has been sent a connection.</summary>
    public int OpenChannels => _channels.Count;

    /// <summary>Channels kept only to hear the reports of the connections they carried (at most one per worker).</summary>
    public int RetiredChannels => _retired.Count;

    /// <summary>
    /// Hands <paramref name="connection"/>'s descriptor to <paramref name="backend"/>, with <paramref name="prefix"/>
    /// (the bytes the sniffer read off it) to be replayed first, and closes the primary's descriptor. Completes with -1
    /// when the connection has ended in the worker, or with a descriptor the worker gave back unserved, which the caller
    /// owns and may deliver elsewhere. <see cref="Abandon"/> completes it with -1 sooner, and so does a
    /// <paramref name="cancellationToken"/> already cancelled when the socket has gone.
    /// </summary>
    /// <exception cref="BackendConnectException">Nothing reached the worker; the descriptor is still the caller's.</exception>
    public Task<int> DeliverAsync(FrontDoorConnection connection, ReadOnlyMemory<byte> prefix, BackendCandidate backend, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(backend);
        try
        {
            // Not an async method: the outcome is the channel's own task, so a connection costs no state machine here.
            return Send(connection, prefix, backend, cancellationToken);
        }
        catch (BackendConnectException exception)
        {
            return Task.FromException<int>(exception);
        }
    }

    private Task<int> Send(FrontDoorConnection connection, ReadOnlyMemory<byte> prefix, BackendCandidate backend, CancellationToken cancellationToken)
    {
        if (backend.Endpoint is not HandoffEndPoint endPoint)
        {
            throw new BackendConnectException($"its endpoint {backend.Endpoint} takes no handed-off sockets");
        }

        var channel = ChannelFor(endPoint.Path, backend.Secret.Span);
        var (result, outcome) = channel.Send(connection.Id, prefix.Span, connection.Descriptor);
        switch (result)
        {
            case ChannelSendResult.Full:
                throw new BackendConnectException("its handoff channel is full: the worker is not taking connections");
            case ChannelSendResult.Closed:
                // A stopping worker still reports on it the connections it serves, so it is kept until it ends, but not
                // for sending: the next connection opens a new channel, or finds the worker gone.
                Retire(channel);
                throw new BackendConnectException("its handoff channel is closed: the worker is stopping or gone");
        }

        // The worker holds the socket now. A plain close: a .NET Dispose, or a shutdown, would act on the shared socket.
        _ = LinuxSockets.Close(connection.Descriptor);
        connection.Descriptor = -1;
        Interlocked.Increment(ref _handedOff);
        _metrics?.ConnectionHandedOff();
        // An abort settles the connection with -1 through Abandon, which the front door calls for each connection after it
        // cancels the token: no registration on the token per connection. One cancelled before the send is settled here.
        if (cancellationToken.IsCancellationRequested)
        {
            channel.Abandon(connection.Id);
        }

        return outcome!;
    }

    /// <summary>
    /// Stops waiting for connection <paramref name="connectionId"/>, whichever channel carried it: its delivery completes
    /// with -1 at once. The front door calls it for every connection it aborts.
    /// </summary>
    public void Abandon(long connectionId)
    {
        foreach (var channel in _channels.Values)
        {
            channel.Abandon(connectionId);
        }

        foreach (var channel in _retired.Values)
        {
            channel.Abandon(connectionId);
        }
    }

    /// <summary>Closes every channel; connections still open in workers are no longer waited for.</summary>
    public void CloseAll()
    {
        foreach (var channel in _channels.Values.Concat(_retired.Values))
        {
            channel.Close();
        }
    }

    /// <summary>Closes every channel and, once they have ended, stops the loop if it is the delivery's own.</summary>
    public void Dispose()
    {
        var channels = _channels.Values.Concat(_retired.Values).ToArray();
        CloseAll();
        if (_ownsLoop)
        {
            // The loop ends the channels as it sees them close (a loop stopped first would leave them open), so it stops
            // once they have ended, or after a deadline.
            _ = Task.WhenAll(channels.Select(channel => channel.Ended)).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(
                static (_, loop) => ((FrontDoorLoop)loop!).Dispose(), Loop, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private void Retire(HandoffChannel channel)
    {
        if (!_channels.TryRemove(new KeyValuePair<string, HandoffChannel>(channel.Path, channel)))
        {
            return;
        }

        HandoffLog.ChannelRetired(_logger, channel.Path);
        HandoffChannel? older = null;
        _retired.AddOrUpdate(channel.Path, channel, (_, old) =>
        {
            older = old;
            return channel;
        });
        older?.Close();
    }

    private HandoffChannel ChannelFor(string path, ReadOnlySpan<byte> secret)
    {
        if (_channels.TryGetValue(path, out var channel) && !channel.Ended.IsCompleted)
        {
            return channel;
        }

        lock (_connectGate)
        {
            if (_channels.TryGetValue(path, out channel) && !channel.Ended.IsCompleted)
            {
                return channel;
            }

            channel = HandoffChannel.Connect(path, secret, Loop, _logger, _metrics, _breaks);
            _channels[path] = channel;
            FrontDoorLog.HandoffChannelOpened(_logger, path);
        }

        // Forgotten once the worker is gone, so that replaced incarnations leave nothing behind.
        _ = channel.Ended.ContinueWith(
            static (_, state) =>
            {
                var (self, ended) = ((HandoffDelivery, HandoffChannel))state!;
                self._channels.TryRemove(new KeyValuePair<string, HandoffChannel>(ended.Path, ended));
                self._retired.TryRemove(new KeyValuePair<string, HandoffChannel>(ended.Path, ended));
                FrontDoorLog.HandoffChannelClosed(self._logger, ended.Path);
            },
            (this, channel),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return channel;
    }
}
