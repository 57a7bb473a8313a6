using System.Diagnostics.Metrics;

namespace Defuss.Telemetry;

internal sealed partial class DefussMetrics
{
    /// <summary>The new primary accepts on the listening sockets.</summary>
    public const string UpgradeCompleted = "completed";

    /// <summary>The new primary exited, said it could not start, or did not accept in time: the old one serves on.</summary>
    public const string UpgradeFailed = "failed";

    /// <summary>No new primary was started (one already starting, this primary not listening yet, a bad environment file).</summary>
    public const string UpgradeRefused = "refused";

    private Counter<long>? _upgrades;

    /// <summary>A hand-over to a new primary ended with <paramref name="outcome"/>.</summary>
    public void Upgraded(string outcome)
    {
        var counter = _upgrades ??= _meter.CreateCounter<long>(
            "defuss.primary.upgrades", "{upgrade}", "Hand-overs to a new primary (SIGUSR2, POST /upgrade, defuss upgrade), by outcome: completed, failed or refused.");
        counter.Add(1, new KeyValuePair<string, object?>("defuss.upgrade.outcome", outcome));
    }
}
