using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Defuss.Processes;
using Defuss.Telemetry;
using Defuss.Upgrade;

namespace Defuss.Hosting;

/// <summary>
/// The hand-over to a new primary (<c>SIGUSR2</c>, <c>POST /upgrade</c>, <c>defuss upgrade</c>), both sides of it, and
/// socket activation. The old primary starts the new one from the command line and binary on disk now, passes it the
/// listening sockets, and keeps accepting until the new one accepts too (its workers Ready); then it stops accepting,
/// closes its admin endpoint, drains as a graceful stop does, and exits 0. The listening sockets are never closed in
/// between, so no client is refused. If the new primary fails, the old one serves on and says why.
/// </summary>
internal sealed partial class DefussPrimary
{
    /// <summary>SIGUSR2's number on Linux (x86-64 and arm64), as nginx uses it for a binary upgrade.</summary>
    private const int SigUsr2 = 12;

    private UpgradeSuccessor? _successor;
    private IReadOnlyList<Socket>? _adoptedListeners;
    private IReadOnlyDictionary<string, string>? _environmentFileAtStart;
    private int _upgrading;
    private Task _upgrade = Task.CompletedTask;

    /// <summary>How long the old primary waits for the new one to accept: its start (workers Ready) and some slack.</summary>
    private TimeSpan HandOverTimeout => _options!.StartupTimeout + TimeSpan.FromSeconds(30);

    /// <summary>
    /// Starts a hand-over to a new primary and completes when it is over: the new primary accepts (and this one then
    /// drains and exits), or it failed, or it was refused (one already under way, this primary not serving yet or stopping,
    /// an environment file that does not parse). Never throws.
    /// </summary>
    internal Task<UpgradeResult> UpgradeAsync(string trigger)
    {
        if (Interlocked.CompareExchange(ref _upgrading, 1, 0) != 0)
        {
            var current = _control.Board.Upgrade;
            return Task.FromResult(Refuse(trigger, current switch
            {
                { State: UpgradeStatus.HandedOver, SuccessorPid: { } successor } => $"this primary has handed over to primary {successor} and is draining: ask that one",
                { SuccessorPid: { } successor } => $"a hand-over is already under way (new primary pid {successor})",
                _ => "a hand-over is already under way",
            }));
        }

        var upgrade = RunUpgradeAsync(trigger);
        _upgrade = upgrade;
        return upgrade;
    }

    private async Task<UpgradeResult> RunUpgradeAsync(string trigger)
    {
        var committed = false;
        try
        {
            var frontDoors = Volatile.Read(ref _frontDoors);
            if (_shutdown.IsCancellationRequested || _directory is not { } directory)
            {
                return Refuse(trigger, "this primary is stopping");
            }

            if (frontDoors.Length == 0 || Endpoints.Count == 0)
            {
                return Refuse(trigger, "this primary does not listen yet (no worker is Ready): a hand-over passes listening sockets");
            }

            Dictionary<string, string> environment;
            try
            {
                environment = SuccessorEnvironment.Build(
                    Environment.GetEnvironmentVariables(), SuccessorEnvironment.ReadFile(_options!), _environmentFileAtStart, Path.Combine(directory, "upgrade.sock"));
            }
            catch (FormatException exception)
            {
                return Refuse(trigger, exception.Message);
            }

            WorkerCommandLine command;
            try
            {
                command = WorkerCommandLine.Current();
            }
            catch (InvalidOperationException exception)
            {
                return Refuse(trigger, exception.Message);
            }

            UpgradeLog.Starting(_logger, trigger, Environment.ProcessId);
            var listeners = frontDoors.Select(frontDoor => frontDoor.ShareListeningSocket()).OfType<Socket>().ToList();
            var launch = new SuccessorLaunch(_logger, directory, HandOverTimeout, _options!.GracefulShutdownTimeout + TimeSpan.FromSeconds(5), SuccessorErrorEcho());
            _control.Board.SetUpgrade(UpgradeStatus.Starting, () => launch.SuccessorPid);
            var result = await launch.RunAsync(command, environment, listeners, _shutdown.Token).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                UpgradeLog.Failed(_logger, Environment.ProcessId, result.SuccessorPid, result.Failure!);
                _metrics.Upgraded(DefussMetrics.UpgradeFailed);
                _control.Board.SetUpgradeFailed(result.SuccessorPid, result.Failure!);
                return result;
            }

            committed = true;
            _control.Board.SetUpgrade(UpgradeStatus.HandedOver, () => result.SuccessorPid);
            _metrics.Upgraded(DefussMetrics.UpgradeCompleted);
            _ = HandOverAsync(result);
            return result;
        }
        catch (Exception exception)
        {
            // The hand-over socket could not be opened, or something unforeseen: either way this primary serves on, and
            // its drain (which waits for the hand-over) is never failed by it.
            var failure = exception is IOException or SocketException or UnauthorizedAccessException
                ? "the hand-over socket could not be opened: " + exception.Message
                : $"the hand-over failed in this primary: {exception.GetType().Name}: {exception.Message}";
            UpgradeLog.Failed(_logger, Environment.ProcessId, 0, failure);
            _metrics.Upgraded(DefussMetrics.UpgradeFailed);
            _control.Board.SetUpgradeFailed(0, failure);
            return new UpgradeResult(0, failure);
        }
        finally
        {
            if (!committed)
            {
                Volatile.Write(ref _upgrading, 0);
            }
        }
    }

    /// <summary>
    /// Where a new primary's error output goes on to while a hand-over is under way: this primary's own standard error,
    /// through the workers' lane to it (flushed with theirs at the stop); nowhere with a launcher of another kind (tests).
    /// </summary>
    private OutputEchoLane? SuccessorErrorEcho() => (_launcher as OsWorkerProcessLauncher)?.ErrorEcho;

    private UpgradeResult Refuse(string trigger, string reason)
    {
        UpgradeLog.Refused(_logger, trigger, reason);
        _metrics.Upgraded(DefussMetrics.UpgradeRefused);
        return new UpgradeResult(0, reason, Refused: true);
    }

    /// <summary>
    /// The new primary accepts: this one falls silent to systemd (the new one is the service's main process now), stops
    /// accepting without ending the listening sockets, closes its admin endpoint so that the new one can bind the admin
    /// URL, tells it so, and stops as SIGTERM would (its workers drain, then it exits 0).
    /// </summary>
    private async Task HandOverAsync(UpgradeResult result)
    {
        var channel = result.Channel!;
        try
        {
            UpgradeLog.HandedOver(_logger, result.SuccessorPid, result.ReadyWorkers, Environment.ProcessId);
            LeaveSystemd();
            await Task.WhenAll(Volatile.Read(ref _frontDoors).Select(frontDoor => frontDoor.StopAcceptingAsync())).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _admin, null) is { } admin)
            {
                await admin.DisposeAsync().ConfigureAwait(false);
            }

            _ = channel.Send(new UpgradeMessage(UpgradeKinds.Released, Environment.ProcessId));
        }
        finally
        {
            channel.Dispose();
            RequestStop($"handed over to primary {result.SuccessorPid}");
        }
    }

    private void InstallUpgradeSignal()
    {
        if (!OperatingSystem.IsWindows())
        {
            _signals.Add(PosixSignalRegistration.Create((PosixSignal)SigUsr2, context =>
            {
                context.Cancel = true;
                _ = UpgradeAsync("SIGUSR2");
            }));
        }
    }

    /// <summary>
    /// Where the front door's sockets come from when this primary does not bind them: the old primary of a hand-over, or
    /// systemd. Returns the endpoints to serve on (the sockets' own addresses), or null to bind <paramref name="configured"/>
    /// as usual; an error names why neither can be used.
    /// </summary>
    private (IReadOnlyList<IPEndPoint>? Endpoints, string? Error) AdoptListeners(IReadOnlyList<IPEndPoint> configured)
    {
        if (_successor is { } successor)
        {
            if (successor.Mismatch(configured) is { } mismatch)
            {
                return (null, mismatch);
            }

            _adoptedListeners = successor.TakeListeners(configured);
            var endpoints = _adoptedListeners.Select(ListeningSockets.EndpointOf).ToList();
            var passed = string.Join(", ", endpoints);
            UpgradeLog.TakingOver(_logger, Environment.ProcessId, successor.PredecessorPid, passed);

            _control.Board.SetPredecessor(successor.PredecessorPid);
            return (endpoints, null);
        }

        IReadOnlyList<Socket>? activated;
        try
        {
            activated = ListeningSockets.FromSystemd();
        }
        catch (InvalidOperationException exception)
        {
            return (null, exception.Message);
        }

        if (activated is null)
        {
            return (null, null);
        }

        _adoptedListeners = activated;
        var bound = activated.Select(ListeningSockets.EndpointOf).ToList();
        var names = string.Join(", ", bound);
        UpgradeLog.SystemdSockets(_logger, bound.Count, names);

        return (bound, null);
    }

    /// <summary>The listening socket for public endpoint <paramref name="index"/>, when this primary did not bind it.</summary>
    private Socket? AdoptedListener(int index) => _adoptedListeners is { } adopted && index < adopted.Count ? adopted[index] : null;

    /// <summary>Logs that the primary cannot start, and tells the old primary of a hand-over why.</summary>
    private void StartupFailed(string reason)
    {
        PrimaryLog.StartupFailed(_logger, reason);
        _successor?.ReportFailure(reason);
    }

    /// <summary>
    /// The new primary of a hand-over accepts: it says so to the old one, and becomes the service's main process for
    /// systemd. Then, once the old one has closed its admin endpoint, it opens its own (retrying while the old one's
    /// Kestrel lets go of the URL).
    /// </summary>
    private async Task TakeOverAsync(UpgradeSuccessor successor)
    {
        try
        {
            successor.TakeBackErrorOutput();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            UpgradeLog.ErrorOutputNotTakenBack(_logger, Environment.ProcessId, successor.PredecessorPid, exception.Message);
        }

        successor.ReportAccepting([.. Endpoints.Select(Admin.AdminUrl.Format)], _control.Board.ReadyWorkers);
        await successor.WaitForReleaseAsync(TimeSpan.FromSeconds(10), _shutdown.Token).ConfigureAwait(false);
        var backoff = Worker.Resilience.ErrorBackoff.ForAccept;
        var deadline = Environment.TickCount64 + 10_000;
        while (!_shutdown.IsCancellationRequested)
        {
            if (await TryStartAdminAsync().ConfigureAwait(false) is not { } error)
            {
                return;
            }

            if (Environment.TickCount64 > deadline)
            {
                UpgradeLog.AdminAfterHandOverFailed(_logger, error);
                return;
            }

            try
            {
                await Task.Delay(backoff.Next(), _shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
