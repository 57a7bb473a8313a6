using System.Diagnostics;
using System.Net.Sockets;
using Defuss.Processes;
using Microsoft.Extensions.Logging;

namespace Defuss.Upgrade;

/// <summary>How a hand-over went, as the old primary sees it.</summary>
/// <param name="SuccessorPid">The new primary's pid (0 when none started).</param>
/// <param name="Failure">Why it failed; null when the new primary accepts on the listening sockets.</param>
/// <param name="Channel">On success, the channel to the new primary, for <see cref="UpgradeKinds.Released"/>; the caller disposes it.</param>
/// <param name="ReadyWorkers">On success, how many of the new primary's workers were Ready when it began to accept.</param>
/// <param name="Refused">Whether the hand-over was refused before any new primary was started.</param>
internal sealed record UpgradeResult(int SuccessorPid, string? Failure, UpgradeChannel? Channel = null, int ReadyWorkers = 0, bool Refused = false)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// The old primary's side of a hand-over: starts the new primary (the command line and binary on disk now, with the
/// environment it is given), waits for it on a private socket, passes it the listening sockets, and waits until it
/// accepts on them, fails, exits, or the deadline passes. A new primary that fails, or does not answer in time, is stopped
/// (SIGTERM, then SIGKILL after <paramref name="killGrace"/>): no process is left behind, and the old primary serves on.
/// Until the new primary accepts, its standard error is a pipe this one reads (<see cref="SuccessorErrorOutput"/>),
/// echoes to <paramref name="errorEcho"/> (this primary's own standard error; null drops it), and names the last lines of
/// when the new primary fails without saying why.
/// </summary>
internal sealed partial class SuccessorLaunch(ILogger logger, string directory, TimeSpan deadline, TimeSpan killGrace, OutputEchoLane? errorEcho = null)
{
    /// <summary>How long a new primary that said it failed, or closed the channel, gets to exit by itself.</summary>
    private static readonly TimeSpan ExitAfterFailure = TimeSpan.FromSeconds(10);

    /// <summary>How long the new primary's error pipe may take to end once it has exited, or has taken its standard error back.</summary>
    private static readonly TimeSpan ErrorOutputEnd = TimeSpan.FromSeconds(2);

    /// <summary>The new primary's process, once started.</summary>
    public int SuccessorPid { get; private set; }

    /// <summary>Runs the hand-over up to the new primary's answer. <paramref name="stop"/> (the old primary stopping) abandons it.</summary>
    public async Task<UpgradeResult> RunAsync(
        WorkerCommandLine command, IReadOnlyDictionary<string, string> environment, IReadOnlyList<Socket> listeners, CancellationToken stop)
    {
        var path = Path.Combine(directory, "upgrade.sock");
        File.Delete(path);
        using var listener = UpgradeChannel.Listen(path);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(deadline);
        using var process = Start(command, environment, out var startError);
        if (process is null)
        {
            return new UpgradeResult(0, "the new primary could not be started: " + startError);
        }

        SuccessorPid = process.Id;
        using var errors = new SuccessorErrorOutput(process.StandardError.BaseStream, errorEcho ?? WorkerOutputEcho.Discard(logger).Error);
        var commandLine = command.ToString();
        UpgradeLog.SuccessorStarted(logger, Environment.ProcessId, process.Id, commandLine);

        UpgradeChannel? channel = null;
        try
        {
            channel = await AcceptAsync(listener, process, timeout.Token).ConfigureAwait(false);
            if (channel is null)
            {
                return await FailedAsync(process, errors, patient: true, $"it exited with {ExitOf(process)} before it reached the hand-over socket", withOutput: true).ConfigureAwait(false);
            }

            if (channel.PeerPid != process.Id)
            {
                return await FailedAsync(process, errors, patient: false, $"process {channel.PeerPid}, not the new primary {process.Id}, connected to the hand-over socket").ConfigureAwait(false);
            }

            // This primary's standard error goes last, for the new primary to take back as its own once it accepts.
            var passesErrorOutput = IsOpen(StandardError);
            int[] descriptors = [.. listeners.Select(socket => (int)socket.Handle), .. passesErrorOutput ? [StandardError] : Array.Empty<int>()];
            var offer = new UpgradeMessage(
                UpgradeKinds.Offer, Environment.ProcessId, [.. listeners.Select(socket => ListeningSockets.EndpointOf(socket).ToString())], ErrorOutput: passesErrorOutput);
            if (!channel.Send(offer, descriptors))
            {
                return await FailedAsync(process, errors, patient: false, "the listening sockets could not be passed to it").ConfigureAwait(false);
            }

            while (true)
            {
                var received = await channel.ReceiveAsync(deadline, timeout.Token).ConfigureAwait(false);
                // A new primary passes nothing back.
                UpgradeChannel.CloseAll(received?.Descriptors ?? []);

                switch (received?.Message)
                {
                    case null:
                        // It had its time to exit by itself while ExitAfterAsync waited: one still running is stopped at once.
                        return await FailedAsync(process, errors, patient: false, $"it closed the hand-over socket and {await ExitAfterAsync(process).ConfigureAwait(false)}", withOutput: true).ConfigureAwait(false);
                    case { Kind: UpgradeKinds.Failed } failed:
                        return await FailedAsync(process, errors, patient: true, failed.Reason ?? "it gave no reason").ConfigureAwait(false);
                    case { Kind: UpgradeKinds.Accepting } accepting:
                        // It took its standard error back before it said so: what it wrote before is read to the end.
                        await errors.LastLinesAsync(ErrorOutputEnd).ConfigureAwait(false);
                        var result = new UpgradeResult(process.Id, null, channel, accepting.ReadyWorkers);
                        channel = null;
                        return result;
                    default:
                        // An unknown kind from a newer primary: nothing to do with it.
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return await FailedAsync(process, errors, patient: false, "this primary is stopping").ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
            return await FailedAsync(process, errors, patient: false, $"it did not accept on the listening sockets within {deadline.TotalSeconds:0.#} s", withOutput: true).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is FormatException or SocketException or IOException)
        {
            return await FailedAsync(process, errors, patient: false, "the hand-over socket broke: " + exception.Message, withOutput: true).ConfigureAwait(false);
        }
        finally
        {
            channel?.Dispose();
            File.Delete(path);
        }
    }

    private static Process? Start(WorkerCommandLine command, IReadOnlyDictionary<string, string> environment, out string error)
    {
        error = "";
        var startInfo = command.ToStartInfo();
        startInfo.WorkingDirectory = Environment.CurrentDirectory;
        startInfo.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        // Standard output is not redirected: the new primary writes where this one does (a terminal, the journal), and goes
        // on writing there after this one has exited. Its standard error is a pipe this one reads until it accepts.
        startInfo.RedirectStandardError = true;
        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
            return process;
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            error = $"{command}: {exception.Message}";
            return null;
        }
    }

    /// <summary>The accepted channel, or null when the new primary exited first; cancellation (the deadline, a stop) throws.</summary>
    private static async Task<UpgradeChannel?> AcceptAsync(Socket listener, Process process, CancellationToken cancellationToken)
    {
        using var acceptOrExit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var accept = UpgradeChannel.AcceptAsync(listener, acceptOrExit.Token);
        var exited = process.WaitForExitAsync(acceptOrExit.Token);
        var first = await Task.WhenAny(accept, exited).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (first == accept)
        {
            await acceptOrExit.CancelAsync().ConfigureAwait(false);
            return await accept.ConfigureAwait(false);
        }

        await acceptOrExit.CancelAsync().ConfigureAwait(false);
        try
        {
            // A connection that raced the exit is closed with the listener.
            (await accept.ConfigureAwait(false)).Dispose();
        }
        catch (OperationCanceledException)
        {
        }

        return null;
    }

    /// <summary>
    /// Stops the new primary if it still runs, and names the failure. A <paramref name="patient"/> stop first lets it exit by
    /// itself (it said it failed, or closed the channel); otherwise it is told to stop at once. <paramref name="withOutput"/>
    /// adds the last lines of its standard error, where it did not say why itself.
    /// </summary>
    private async Task<UpgradeResult> FailedAsync(Process process, SuccessorErrorOutput errors, bool patient, string reason, bool withOutput = false)
    {
        if (!process.HasExited)
        {
            await StopAsync(process, patient).ConfigureAwait(false);
        }

        if (withOutput && await errors.LastLinesAsync(ErrorOutputEnd).ConfigureAwait(false) is { Count: > 0 } lines)
        {
            reason += $"; its last error output:{Environment.NewLine}{Telemetry.WorkerEventLogger.Tail(lines, SuccessorErrorOutput.ReasonLines)}";
        }

        return new UpgradeResult(process.Id, reason);
    }

    private const int StandardError = 2;

    /// <summary>Whether <paramref name="fd"/> is an open descriptor (a daemon may run without a standard error).</summary>
    private static bool IsOpen(int fd) => Worker.Interop.LinuxSockets.Fcntl(fd, Worker.Interop.LinuxSockets.FGetFd, 0) >= 0;

    /// <summary>SIGTERM (the new primary drains its workers), then SIGKILL after the grace.</summary>
    private async Task StopAsync(Process process, bool patient)
    {
        if (patient && await ExitedWithinAsync(process, ExitAfterFailure).ConfigureAwait(false))
        {
            return;
        }

        UnixSignals.TrySend(process.Id, UnixSignals.SigTerm, out _);
        if (!await ExitedWithinAsync(process, killGrace).ConfigureAwait(false))
        {
            UpgradeLog.SuccessorKilled(logger, process.Id, killGrace.TotalSeconds);
            UnixSignals.TrySend(process.Id, UnixSignals.SigKill, out _);
            await ExitedWithinAsync(process, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
    }

    private static async Task<string> ExitAfterAsync(Process process) =>
        await ExitedWithinAsync(process, ExitAfterFailure).ConfigureAwait(false) ? $"exited with {ExitOf(process)}" : "did not exit";

    private static async Task<bool> ExitedWithinAsync(Process process, TimeSpan timeout)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static string ExitOf(Process process) =>
        !process.HasExited ? "no exit yet"
        : UnixSignals.NameFromExitCode(process.ExitCode) is { } signal ? $"{signal} (exit code {process.ExitCode})"
        : $"exit code {process.ExitCode}";
}
