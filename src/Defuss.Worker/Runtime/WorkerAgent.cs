using System.Net.Sockets;
using Defuss.Worker.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Defuss.Worker.Runtime;

/// <summary>
/// The worker's side of the control channel: says <see cref="Hello"/>, then <see cref="Ready"/> once Kestrel has started,
/// then a <see cref="Heartbeat"/> every interval; obeys <see cref="Stop"/>; and stops the app when the channel closes,
/// so that a worker never outlives its primary.
/// </summary>
internal sealed class WorkerAgent(
    WorkerSettings settings,
    StatsSampler sampler,
    IHostApplicationLifetime lifetime,
    IOptions<HostOptions> hostOptions,
    TimeProvider timeProvider,
    ILogger<WorkerAgent> logger) : BackgroundService
{
    private static readonly TimeSpan StoppingSendTimeout = TimeSpan.FromSeconds(2);

    private int _stoppingSent;
    private int _channelLost;
    private Task _stoppingSend = Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ControlChannel channel;
        try
        {
            channel = await ControlChannel.ConnectAsync(
                settings.ControlEndpoint, settings.ControlConnectTimeout, timeProvider, logger, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (TimeoutException exception)
        {
            WorkerLog.ControlConnectFailed(logger, settings.Index, settings.ControlEndpoint, settings.ControlConnectTimeout, exception.InnerException);
            lifetime.StopApplication();
            return;
        }

        WorkerLog.ControlConnected(logger, settings.Index, settings.Incarnation, settings.ControlEndpoint);
        await using (channel)
        {
            if (!await TrySendAsync(channel, new Hello(settings.Index, settings.Incarnation, Environment.ProcessId, settings.Secret), stoppingToken))
            {
                return;
            }

            // Registered after Hello, so that Stopping never overtakes it; runs at once if the app is already stopping.
            using var stopping = lifetime.ApplicationStopping.Register(() => BeginStopping(channel, "shutdown"));
            try
            {
                await Task.WhenAll(ReceiveAsync(channel, stoppingToken), AnnounceAsync(channel, stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // The host is stopping the agent: the last thing the worker does before it exits.
            }

            await WaitForStoppingSentAsync();
        }
    }

    private async Task AnnounceAsync(ControlChannel channel, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(cancellationToken);
        }

        if (!await TrySendAsync(channel, new Ready(settings.Endpoint), cancellationToken))
        {
            return;
        }

        WorkerLog.WorkerReady(logger, settings.Index, settings.Incarnation, Environment.ProcessId, settings.Endpoint);

        // Heartbeats go on while Kestrel drains, so that the primary can tell a slow drain from a hung worker.
        using var timer = new PeriodicTimer(settings.HeartbeatInterval, timeProvider);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            if (!await TrySendAsync(channel, new Heartbeat(sampler.Sample()), cancellationToken))
            {
                return;
            }
        }
    }

    private async Task ReceiveAsync(ControlChannel channel, CancellationToken cancellationToken)
    {
        while (true)
        {
            ControlMessage? message;
            try
            {
                message = await channel.ReceiveAsync(cancellationToken);
            }
            catch (Exception exception) when (IsChannelFailure(exception))
            {
                OnChannelLost(exception);
                return;
            }

            switch (message)
            {
                case null:
                    OnChannelLost(null);
                    return;
                case Stop stop:
                    await OnStopAsync(channel, stop);
                    break;
                default:
                    WorkerLog.UnexpectedControlMessage(logger, settings.Index, message.GetType().Name);
                    break;
            }
        }
    }

    private async Task OnStopAsync(ControlChannel channel, Stop stop)
    {
        WorkerLog.StopRequested(logger, settings.Index, stop.DeadlineMs);
        if (stop.DeadlineMs > 0)
        {
            // The host reads ShutdownTimeout when it begins to stop, so this bounds Kestrel's drain by the primary's deadline.
            hostOptions.Value.ShutdownTimeout = TimeSpan.FromMilliseconds(stop.DeadlineMs);
        }

        BeginStopping(channel, "stop requested");
        await WaitForStoppingSentAsync();
        lifetime.StopApplication();
    }

    private void BeginStopping(ControlChannel channel, string reason)
    {
        if (Interlocked.Exchange(ref _stoppingSent, 1) == 0 && Volatile.Read(ref _channelLost) == 0)
        {
            Volatile.Write(ref _stoppingSend, SendStoppingAsync(channel, reason));
        }
    }

    private async Task SendStoppingAsync(ControlChannel channel, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(StoppingSendTimeout, timeProvider);
            await channel.SendAsync(new Stopping(reason), timeout.Token);
        }
        catch (Exception exception) when (IsChannelFailure(exception) || exception is OperationCanceledException)
        {
            WorkerLog.StoppingNotSent(logger, settings.Index, exception);
        }
    }

    private Task WaitForStoppingSentAsync() => Volatile.Read(ref _stoppingSend);

    private async Task<bool> TrySendAsync(ControlChannel channel, ControlMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await channel.SendAsync(message, cancellationToken);
            return true;
        }
        catch (Exception exception) when (IsChannelFailure(exception))
        {
            OnChannelLost(exception);
            return false;
        }
    }

    private void OnChannelLost(Exception? exception)
    {
        if (Interlocked.Exchange(ref _channelLost, 1) != 0)
        {
            return;
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            WorkerLog.ControlChannelClosedWhileStopping(logger, settings.Index, exception);
            return;
        }

        if (exception is null || IsPeerGone(exception))
        {
            WorkerLog.PrimaryGone(logger, settings.Index);
        }
        else
        {
            WorkerLog.ControlChannelFailed(logger, settings.Index, exception);
        }

        lifetime.StopApplication();
    }

    private static bool IsChannelFailure(Exception exception) =>
        exception is IOException or SocketException or ObjectDisposedException or InvalidDataException;

    // A primary that dies with frames unread in its buffer resets the connection instead of closing it.
    private static bool IsPeerGone(Exception exception) =>
        (exception as SocketException ?? exception.InnerException as SocketException)?.SocketErrorCode
            is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown;
}
