using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>
/// The Showcase under hostile conditions, in both delivery modes: each test plays the hostile party, then checks that the
/// primary is alive, serves again within seconds once the condition ends, returns to its baseline socket count, and
/// leaks no routing lease (the primary says so at stop). Each takes at most about 30 s. The conditions live in the
/// partial files beside this one (<c>ChaosTests.*.cs</c>).
/// </summary>
public abstract partial class ChaosTests(string delivery)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff() : ChaosTests(Delivery.Handoff);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy() : ChaosTests(Delivery.Proxy);

    /// <summary>How long the service may take to serve again once the hostile condition has ended.</summary>
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The delivery mode this class runs in.</summary>
    protected string DeliveryMode => delivery;

    /// <summary>Starts the Showcase in this class's delivery mode with <paramref name="settings"/>.</summary>
    private Task<DefussProcess> StartAsync(params string[] settings) => DefussProcess.StartAsync(Delivery.With(delivery, settings));

    /// <summary>Starts the Showcase in this class's delivery mode under a descriptor limit.</summary>
    private Task<DefussProcess> StartWithDescriptorLimitAsync(int limit, params string[] settings) =>
        DefussProcess.StartWithDescriptorLimitAsync(limit, Delivery.With(delivery, settings));

    /// <summary>Waits until a request on a new connection is answered 200 again, within <see cref="RecoveryTimeout"/>.</summary>
    private static async Task ServesAgainAsync(DefussProcess defuss)
    {
        var deadline = DateTime.UtcNow + RecoveryTimeout;
        while (true)
        {
            try
            {
                (await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid")).Should().MatchRegex(@"^\d+$");
                return;
            }
            catch (Exception exception) when (DateTime.UtcNow < deadline && exception is not Xunit.Sdk.XunitException)
            {
                await Native.ProcessExitPollAsync();
            }
        }
    }

    /// <summary>
    /// Stops the primary with SIGTERM and checks the end of the story: exit 0, no worker left, and no routing lease left
    /// open (a connection whose end the primary never heard of).
    /// </summary>
    private static async Task StopsCleanlyAsync(DefussProcess defuss)
    {
        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        await defuss.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
        defuss.Output.Should().NotContain("routing leases were still open");
    }
}
