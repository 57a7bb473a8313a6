using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Defuss.Worker.Protocol;

namespace Defuss.Worker.Runtime;

/// <summary>Who a worker process is and how it reaches its primary, as the primary put it in the environment.</summary>
/// <param name="Index">The worker's index, 0..Workers-1.</param>
/// <param name="Incarnation">The generation of this index, counting from 1.</param>
/// <param name="Secret">The per-incarnation secret presented in <see cref="Hello"/>.</param>
/// <param name="ControlEndpoint">The path of the primary's control socket.</param>
/// <param name="Endpoint">The private endpoint to serve on, in <see cref="WorkerEndpoint"/> form.</param>
/// <param name="HeartbeatInterval">How often the worker sends a <see cref="Heartbeat"/>.</param>
internal sealed record WorkerSettings(
    int Index,
    long Incarnation,
    string Secret,
    string ControlEndpoint,
    string Endpoint,
    TimeSpan HeartbeatInterval)
{
    /// <summary>The heartbeat interval when <see cref="WorkerEnvironment.HeartbeatIntervalMs"/> is absent: 1 s, as DefussOptions.</summary>
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long the worker keeps trying to reach the control socket before it stops. Defaults to 30 s.</summary>
    public TimeSpan ControlConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The primary's pid (<see cref="WorkerEnvironment.PrimaryPid"/>), which a worker started by the primary watches and
    /// leads its own process group under; <c>null</c> for a worker started otherwise (an in-process test), which does neither.
    /// </summary>
    public int? PrimaryPid { get; init; }

    /// <summary>Whether this process is a Defuss worker (<c>DEFUSS_ROLE=worker</c>).</summary>
    public static bool IsWorkerProcess() => IsWorkerProcess(Environment.GetEnvironmentVariable);

    /// <summary>Whether <paramref name="getEnv"/> says this is a Defuss worker (<c>DEFUSS_ROLE=worker</c>).</summary>
    public static bool IsWorkerProcess(Func<string, string?> getEnv)
    {
        ArgumentNullException.ThrowIfNull(getEnv);
        return string.Equals(getEnv(WorkerEnvironment.Role), WorkerEnvironment.WorkerRole, StringComparison.Ordinal);
    }

    /// <summary>Reads the settings from this process's environment; see <see cref="FromEnvironment(Func{string, string?})"/>.</summary>
    public static WorkerSettings FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>
    /// Reads the settings from the <see cref="WorkerEnvironment"/> variables. <see cref="WorkerEnvironment.HeartbeatIntervalMs"/>
    /// is optional (<see cref="DefaultHeartbeatInterval"/>); the others are required.
    /// </summary>
    /// <exception cref="InvalidOperationException">A variable is missing or bad; the message names every one and its value.</exception>
    public static WorkerSettings FromEnvironment(Func<string, string?> getEnv)
    {
        ArgumentNullException.ThrowIfNull(getEnv);
        var errors = new List<string>();

        var index = ReadInteger(getEnv, WorkerEnvironment.Index, 0, int.MaxValue, required: true, errors);
        var incarnation = ReadInteger(getEnv, WorkerEnvironment.Incarnation, 1, long.MaxValue, required: true, errors);
        var heartbeatMs = ReadInteger(getEnv, WorkerEnvironment.HeartbeatIntervalMs, 1, int.MaxValue, required: false, errors);
        var primaryPid = ReadInteger(getEnv, WorkerEnvironment.PrimaryPid, 1, int.MaxValue, required: false, errors);

        var secret = getEnv(WorkerEnvironment.Secret);
        if (string.IsNullOrWhiteSpace(secret))
        {
            // Never echo a secret, even a blank one.
            errors.Add($"{WorkerEnvironment.Secret} is missing or empty");
        }

        var control = ReadControlPath(getEnv, errors);

        var endpoint = getEnv(WorkerEnvironment.Endpoint);
        if (string.IsNullOrEmpty(endpoint))
        {
            errors.Add($"{WorkerEnvironment.Endpoint} is missing");
        }
        else if (!IsEndpoint(endpoint))
        {
            errors.Add($"{WorkerEnvironment.Endpoint}='{endpoint}' is not 'unix:/path', 'tcp:address:port' or 'handoff:/path'");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The Defuss worker environment is invalid: " + string.Join("; ", errors) + ".");
        }

        return new WorkerSettings(
            (int)index,
            incarnation,
            secret!,
            control!,
            endpoint!,
            heartbeatMs == 0 ? DefaultHeartbeatInterval : TimeSpan.FromMilliseconds(heartbeatMs))
        {
            PrimaryPid = primaryPid == 0 ? null : (int)primaryPid,
        };
    }

    private static long ReadInteger(Func<string, string?> getEnv, string name, long minimum, long maximum, bool required, List<string> errors)
    {
        var text = getEnv(name);
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                errors.Add($"{name} is missing");
            }

            return 0;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < minimum || value > maximum)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name}='{text}' is not a whole number from {minimum} to {maximum}"));
            return 0;
        }

        return value;
    }

    private static string? ReadControlPath(Func<string, string?> getEnv, List<string> errors)
    {
        var text = getEnv(WorkerEnvironment.ControlEndpoint);
        if (string.IsNullOrEmpty(text))
        {
            errors.Add($"{WorkerEnvironment.ControlEndpoint} is missing");
            return null;
        }

        // Tolerate the WorkerEndpoint form too, so that either side may format the path that way.
        var path = text.StartsWith("unix:", StringComparison.Ordinal) ? text[5..] : text;
        try
        {
            _ = new UnixDomainSocketEndPoint(path);
            return path;
        }
        catch (ArgumentException exception)
        {
            errors.Add($"{WorkerEnvironment.ControlEndpoint}='{text}' is not a Unix socket path ({exception.Message})");
            return null;
        }
    }

    private static bool IsEndpoint(string text)
    {
        try
        {
            _ = WorkerEndpoint.Parse(text);
            return true;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            return false;
        }
    }

    private bool PrintMembers(StringBuilder builder)
    {
        // The secret stays out of ToString, and so out of every log line that formats these settings.
        builder.Append(CultureInfo.InvariantCulture, $"Index = {Index}, Incarnation = {Incarnation}, Secret = ***, ");
        builder.Append(CultureInfo.InvariantCulture, $"ControlEndpoint = {ControlEndpoint}, Endpoint = {Endpoint}, ");
        builder.Append(CultureInfo.InvariantCulture, $"HeartbeatInterval = {HeartbeatInterval}, ControlConnectTimeout = {ControlConnectTimeout}, PrimaryPid = {PrimaryPid}");
        return true;
    }
}
