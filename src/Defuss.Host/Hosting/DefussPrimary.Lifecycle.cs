using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Akka.Actor;
using Defuss.Actors.Routing;
using Defuss.Actors.Workers;
using Defuss.FrontDoor;
using Defuss.Telemetry;

namespace Defuss.Hosting;

internal sealed partial class DefussPrimary
{
    /// <summary>
    /// Stops accepting, lets the workers drain and exit (killing them at the deadline) and the front door's connections
    /// finish. Runs once, whoever asks first: the run loop, or the actor system's coordinated shutdown, which waits for it
    /// before any actor stops.
    /// </summary>
    private Task DrainAsync()
    {
        lock (_drainGate)
        {
            return _drain ??= DrainOnceAsync();
        }
    }

    private async Task DrainOnceAsync()
    {
        var deadline = _options?.GracefulShutdownTimeout ?? TimeSpan.Zero;
        var frontDoors = Volatile.Read(ref _frontDoors);
        await Task.WhenAll(frontDoors.Select(frontDoor => frontDoor.StopAcceptingAsync())).ConfigureAwait(false);
        var connectionsDone = AllEndedAsync(frontDoors, deadline);
        if (_supervisor is not { } supervisor || _hub is null)
        {
            // The workers never started: there is nothing to drain but the front door.
            await connectionsDone.ConfigureAwait(false);
        }
        else
        {
            try
            {
                // An actor that is gone (stopped for repeated faults, say) ends its ask at once: shutdown never waits one out.
                await Task.WhenAll(supervisor.AskUnlessGoneAsync<AllWorkersStopped>(new StopAllWorkers(deadline), deadline + TimeSpan.FromSeconds(5)), connectionsDone)
                    .ConfigureAwait(false);

                // The workers' last events (their exits) reached the events actor before the supervisor answered: let it
                // log and publish them before the actor system stops.
                await _events.AskUnlessGoneAsync<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5)).ConfigureAwait(false);

                // Every connection has ended, and released its lease before it did: a lease still open is one that leaked.
                if (await connectionsDone.ConfigureAwait(false)
                    && await _router.AskUnlessGoneAsync<RouterStats>(GetRouterStats.Instance, TimeSpan.FromSeconds(5)).ConfigureAwait(false) is { OpenLeases: > 0 } stats)
                {
                    PrimaryLog.LeasesLeftAtStop(_logger, stats.OpenLeases);
                }
            }
            catch (AskTimeoutException)
            {
                // The worker actors' PostStop kills whatever is left when the actor system terminates.
            }
        }

        AbortConnections();
        _control.Detach();

        // A hand-over that this stop abandoned stops its new primary (SIGTERM, then SIGKILL): that is over before this
        // primary exits, so that none is left behind.
        await _upgrade.ConfigureAwait(false);
    }

    private void InstallSignalHandlers()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            _signals.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }

        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangup));
        InstallUpgradeSignal();

        // As gunicorn: SIGTTIN adds a worker, SIGTTOU removes one (within an elastic pool's bounds).
        if (!OperatingSystem.IsWindows())
        {
            _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTTIN, context => OnResizeSignal(context, +1, "SIGTTIN")));
            _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTTOU, context => OnResizeSignal(context, -1, "SIGTTOU")));
        }
    }

    private void OnResizeSignal(PosixSignalContext context, int delta, string signal)
    {
        context.Cancel = true;
        PrimaryLog.ResizeSignal(_logger, signal, delta);
        _control.ScaleBy(delta);
    }

    /// <summary>SIGHUP: a rolling restart of every worker, as <see cref="IDefussControl.RollingRestartAsync"/> does.</summary>
    private void OnHangup(PosixSignalContext context)
    {
        context.Cancel = true;
        PrimaryLog.RollingRestart(_logger, "SIGHUP");
        NotifyReloading();
        _ = RollingRestartAsync();
    }

    private async Task RollingRestartAsync()
    {
        try
        {
            var replaced = await _control.RollingRestartAsync(_shutdown.Token).ConfigureAwait(false);
            PrimaryLog.RollingRestartCompleted(_logger, replaced);
        }
        catch (Exception exception) when (exception is OperationCanceledException or AskTimeoutException or InvalidOperationException)
        {
            PrimaryLog.RollingRestartAbandoned(_logger, exception.Message);
        }
        finally
        {
            NotifyReloaded();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signalCount) == 1)
        {
            RequestStop(context.Signal.ToString());
            return;
        }

        ForceStop();
    }

    /// <summary>Kills the workers and resets the connections now, as a second signal does.</summary>
    private void ForceStop()
    {
        PrimaryLog.ForcedStop(_logger);
        _supervisor?.Tell(new StopAllWorkers(TimeSpan.Zero), ActorRefs.Nobody);
        AbortConnections();
    }

    /// <summary><see cref="IDefussControl.StopAsync"/>: a stop as SIGTERM asks for it (and a second one, when not graceful); completes once the run is over.</summary>
    private async Task StopFromControlAsync(bool graceful)
    {
        RequestStop(graceful ? "IDefussControl.StopAsync" : "IDefussControl.StopAsync(graceful: false)");
        if (!graceful)
        {
            ForceStop();
        }

        await _finished.Task.ConfigureAwait(false);
    }

    private static IPAddress ParseAddress(string text) =>
        DefussOptionsValidator.TryParseAddress(text, out var address) ? address : throw new InvalidOperationException($"Defuss: '{text}' is not an IP address.");

    /// <summary>Whether every front door's connections ended within <paramref name="deadline"/>.</summary>
    private static async Task<bool> AllEndedAsync(FrontDoorListener[] frontDoors, TimeSpan deadline) =>
        (await Task.WhenAll(frontDoors.Select(frontDoor => frontDoor.WaitForConnectionsAsync(deadline))).ConfigureAwait(false)).All(ended => ended);

    private void AbortConnections()
    {
        foreach (var frontDoor in Volatile.Read(ref _frontDoors))
        {
            frontDoor.AbortConnections();
        }
    }

    /// <summary>Whether a public endpoint can be bound, checked before any worker starts so that a busy port fails fast.</summary>
    private static string? PortInUse(IPEndPoint endpoint, PublicEndpoints setting)
    {
        if (endpoint.Port == 0)
        {
            return null;
        }

        using var probe = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(endpoint);
            return null;
        }
        catch (SocketException exception)
        {
            return $"{setting.Setting} is invalid: {endpoint} cannot be bound ({exception.SocketErrorCode}: {exception.Message}).";
        }
    }

    /// <summary>A fresh directory only this user can open (mode 0700), for the control socket and the workers' sockets.</summary>
    private static string CreatePrivateDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("defuss-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return directory;
    }
}
