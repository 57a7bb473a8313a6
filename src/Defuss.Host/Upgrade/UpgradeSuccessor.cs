using System.Net;
using System.Net.Sockets;

namespace Defuss.Upgrade;

/// <summary>
/// The new primary's side of a hand-over (it was started with <see cref="SuccessorEnvironment.SocketVariable"/>): it
/// connects to the old primary, takes its listening sockets, and tells it when it accepts on them, or why it cannot.
/// </summary>
internal sealed class UpgradeSuccessor : IDisposable
{
    /// <summary>How long the new primary waits for the old one's offer; the old one sends it as soon as it accepts the connection.</summary>
    private static readonly TimeSpan OfferTimeout = TimeSpan.FromSeconds(10);

    private const int StandardError = 2;

    private readonly UpgradeChannel _channel;
    private List<Socket>? _listeners;
    private int _failureSent;

    /// <summary>The old primary's standard error, passed with the offer, until <see cref="TakeBackErrorOutput"/>; -1 when none.</summary>
    private int _errorOutput;

    private UpgradeSuccessor(UpgradeChannel channel, int predecessorPid, List<Socket> listeners, int errorOutput)
    {
        _channel = channel;
        PredecessorPid = predecessorPid;
        _listeners = listeners;
        _errorOutput = errorOutput;
    }

    /// <summary>The primary this one takes over from.</summary>
    public int PredecessorPid { get; }

    /// <summary>The listening sockets passed over, with their addresses, until <see cref="TakeListeners"/> takes them.</summary>
    public IReadOnlyList<Socket> Listeners => _listeners ?? [];

    /// <summary>
    /// The hand-over this process was started for, or null when it was started as any primary is. Throws
    /// <see cref="InvalidOperationException"/> when the old primary cannot be reached or sends no valid offer.
    /// </summary>
    public static UpgradeSuccessor? FromEnvironment(Func<string, string?>? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariable;
        if (OperatingSystem.IsWindows() || variables(SuccessorEnvironment.SocketVariable) is not { Length: > 0 } path)
        {
            return null;
        }

        UpgradeChannel channel;
        try
        {
            channel = UpgradeChannel.Connect(path);
        }
        catch (SocketException exception)
        {
            throw new InvalidOperationException($"the primary that started this one for a hand-over is not at {path} ({exception.SocketErrorCode}): it has stopped, or gave up waiting", exception);
        }

        try
        {
            var received = channel.Receive(OfferTimeout, CancellationToken.None)
                ?? throw new InvalidOperationException("the old primary closed the hand-over socket before it passed its listening sockets");
            var offer = received.Message;
            var listeners = new List<Socket>();
            try
            {
                if (offer.Kind != UpgradeKinds.Offer || offer.Endpoints is not { } endpoints || endpoints.Count + (offer.ErrorOutput ? 1 : 0) != received.Descriptors.Length)
                {
                    throw new InvalidOperationException($"the old primary's first message was not an offer of its listening sockets ({offer.Kind}, {received.Descriptors.Length} descriptors)");
                }

                for (var i = 0; i < endpoints.Count; i++)
                {
                    listeners.Add(ListeningSockets.Adopt(received.Descriptors[i], $"listening socket {endpoints[i]} of primary {offer.Pid}"));
                }
            }
            catch
            {
                foreach (var socket in listeners)
                {
                    socket.Dispose();
                }

                UpgradeChannel.CloseAll(received.Descriptors.Skip(listeners.Count));

                throw;
            }

            return new UpgradeSuccessor(channel, offer.Pid, listeners, offer.ErrorOutput ? received.Descriptors[^1] : -1);
        }
        catch (Exception exception) when (exception is TimeoutException or FormatException or InvalidOperationException)
        {
            channel.Dispose();
            throw exception as InvalidOperationException ?? new InvalidOperationException("the hand-over from the old primary failed: " + exception.Message, exception);
        }
    }

    /// <summary>
    /// Why <paramref name="configured"/> (this primary's own endpoints, from its settings) cannot take the listening
    /// sockets passed over, or null when it can: the same addresses, and the same ports unless a port is 0 (any).
    /// </summary>
    public string? Mismatch(IReadOnlyList<IPEndPoint> configured)
    {
        var passed = Listeners.Select(ListeningSockets.EndpointOf).ToList();
        var unmatched = new List<IPEndPoint>(passed);
        foreach (var endpoint in configured)
        {
            var match = unmatched.FindIndex(listener => Fits(listener, endpoint));
            if (match < 0)
            {
                return $"a hand-over keeps the listening sockets ({string.Join(", ", passed)}), and this primary's settings ask for {string.Join(", ", configured)}: "
                    + "a changed Defuss:Host or Defuss:Port (or ASP.NET URLs) needs a restart of the service";
            }

            unmatched.RemoveAt(match);
        }

        return unmatched.Count == 0 ? null : $"a hand-over keeps every listening socket, and this primary's settings leave out {string.Join(", ", unmatched)}: a changed set of endpoints needs a restart of the service";
    }

    /// <summary>
    /// The listening socket for each of <paramref name="configured"/>, in its order; this primary owns them from here on
    /// (the rest, if any, are closed with <see cref="Dispose"/>).
    /// </summary>
    public IReadOnlyList<Socket> TakeListeners(IReadOnlyList<IPEndPoint> configured)
    {
        var left = _listeners ?? [];
        var taken = new List<Socket>();
        foreach (var endpoint in configured)
        {
            var index = left.FindIndex(socket => Fits(ListeningSockets.EndpointOf(socket), endpoint));
            taken.Add(left[index]);
            left.RemoveAt(index);
        }

        return taken;
    }

    /// <summary>Whether a socket bound to <paramref name="bound"/> serves <paramref name="configured"/>: the same address, and the same port unless it is 0 (any).</summary>
    private static bool Fits(IPEndPoint bound, IPEndPoint configured) =>
        bound.Address.Equals(configured.Address) && (configured.Port == 0 || configured.Port == bound.Port);

    /// <summary>Tells the old primary this one cannot take over, and why (once; later calls do nothing).</summary>
    public void ReportFailure(string reason)
    {
        if (Interlocked.Exchange(ref _failureSent, 1) == 0)
        {
            _ = _channel.Send(new UpgradeMessage(UpgradeKinds.Failed, Environment.ProcessId, Reason: reason));
        }
    }

    /// <summary>
    /// Makes the standard error the old primary passed with its offer this process's own again, in place of the pipe the
    /// old primary has read since the start (every descriptor of that pipe: .NET's console streams hold duplicates of
    /// descriptor 2), so that what this primary writes there after the old one exits reaches the journal or terminal.
    /// Called before it says it accepts. Throws <see cref="IOException"/> naming a descriptor it could not change.
    /// </summary>
    public void TakeBackErrorOutput()
    {
        var errorOutput = Interlocked.Exchange(ref _errorOutput, -1);
        if (errorOutput < 0)
        {
            return;
        }

        try
        {
            DescriptorRedirect.Redirect(StandardError, errorOutput);
        }
        finally
        {
            UpgradeChannel.CloseAll([errorOutput]);
        }
    }

    /// <summary>Tells the old primary this one accepts on the sockets, with <paramref name="readyWorkers"/> workers; false when it is gone.</summary>
    public bool ReportAccepting(IReadOnlyList<string> urls, int readyWorkers) =>
        _channel.Send(new UpgradeMessage(UpgradeKinds.Accepting, Environment.ProcessId, urls, ReadyWorkers: readyWorkers));

    /// <summary>
    /// Waits until the old primary has stopped accepting and closed its admin endpoint (or has gone, or
    /// <paramref name="timeout"/> passes): then the admin URL is free to bind.
    /// </summary>
    public async Task WaitForReleaseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            while ((await _channel.ReceiveAsync(timeout, cancellationToken).ConfigureAwait(false)) is { } received)
            {
                // An old primary passes nothing with it.
                UpgradeChannel.CloseAll(received.Descriptors);
                if (received.Message.Kind == UpgradeKinds.Released)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is TimeoutException or FormatException or OperationCanceledException)
        {
            // The admin endpoint is tried anyway: it retries while the URL is still taken.
        }
    }

    public void Dispose()
    {
        foreach (var socket in Interlocked.Exchange(ref _listeners, null) ?? [])
        {
            // The old primary still accepts on it.
            ListeningSockets.MarkShared(socket);
            socket.Dispose();
        }

        if (Interlocked.Exchange(ref _errorOutput, -1) is var errorOutput and >= 0)
        {
            // Not taken back: this primary failed, and what it writes goes on to the old one until it exits.
            UpgradeChannel.CloseAll([errorOutput]);
        }

        _channel.Dispose();
    }
}
