using System.Globalization;

namespace Defuss.Hosting;

/// <summary>
/// What the primary tells systemd (<c>Type=notify</c>): <c>READY=1</c> once the front door listens, a <c>STATUS=</c> line
/// whenever the ready-worker count moves, <c>RELOADING=1</c> through a SIGHUP rolling restart and <c>READY=1</c> after it,
/// <c>STOPPING=1</c> when the drain starts, and <c>WATCHDOG=1</c> at half of <c>WATCHDOG_USEC</c> while the actor system
/// answers. Nothing at all when <c>NOTIFY_SOCKET</c> is not set.
/// </summary>
internal sealed partial class DefussPrimary
{
    private readonly CancellationTokenSource _systemdStop = new();
    private SystemdNotifier? _systemd;
    private bool _systemdReady;

    private void StartSystemd()
    {
        _systemd = SystemdNotifier.FromEnvironment();
        if (_systemd?.WatchdogInterval is { } interval)
        {
            _ = PingWatchdogAsync(_systemd, interval, _systemdStop.Token);
        }
    }

    /// <summary>
    /// Ready (again). The new primary of a hand-over first names itself the service's main process (<c>MAINPID=</c>, which
    /// needs <c>NotifyAccess=all</c>, since systemd follows the old primary until then).
    /// </summary>
    private void NotifyReady(bool mainProcess = false)
    {
        Volatile.Write(ref _systemdReady, true);
        var main = mainProcess ? string.Create(CultureInfo.InvariantCulture, $"MAINPID={Environment.ProcessId}\n") : "";
        _systemd?.Notify(main + "READY=1\nSTATUS=" + StatusLine());
    }

    /// <summary>
    /// After a hand-over the new primary is the service's main process: the old one says nothing more to systemd (its
    /// <c>STOPPING=1</c> would stop the service), and no longer pings the watchdog.
    /// </summary>
    private void LeaveSystemd()
    {
        _systemdStop.Cancel();
        Interlocked.Exchange(ref _systemd, null)?.Dispose();
    }

    /// <summary>A worker event moved the count: systemd's status line follows it.</summary>
    private void NotifyStatus()
    {
        if (_systemd is { } systemd && !_shutdown.IsCancellationRequested)
        {
            systemd.Notify("STATUS=" + StatusLine());
        }
    }

    private void NotifyReloading() =>
        _systemd?.Notify(string.Create(CultureInfo.InvariantCulture, $"RELOADING=1\nMONOTONIC_USEC={SystemdNotifier.MonotonicMicroseconds}\nSTATUS=Rolling restart: {StatusLine()}"));

    /// <summary>The rolling restart is over: ready again, unless the primary has begun to stop meanwhile.</summary>
    private void NotifyReloaded()
    {
        if (!_shutdown.IsCancellationRequested && Volatile.Read(ref _systemdReady))
        {
            NotifyReady();
        }
    }

    private void NotifyStopping() => _systemd?.Notify("STOPPING=1\nSTATUS=Draining: " + StatusLine());

    private void StopSystemd()
    {
        _systemdStop.Cancel();
        _systemd?.Dispose();
    }

    private string StatusLine()
    {
        var ready = _control.Board.ReadyWorkers;
        var workers = _control.Board.Workers().Count;
        return Endpoints.Count > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{ready} of {workers} workers ready, serving on {PublicUrls}")
            : string.Create(CultureInfo.InvariantCulture, $"{ready} of {workers} workers ready, starting");
    }

    /// <summary>Pings the watchdog while the supervisor answers: a wedged actor system misses its pings, and systemd acts.</summary>
    private async Task PingWatchdogAsync(SystemdNotifier systemd, TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                if (await ActorSystemAnswersAsync(stop).ConfigureAwait(false))
                {
                    systemd.Notify("WATCHDOG=1");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The primary has stopped.
        }
    }
}
