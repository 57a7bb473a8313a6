namespace Defuss.Tests.TestSupport;

/// <summary>Waits for a condition that no event announces (a kernel socket queue draining), polling it briefly.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        while (!condition())
        {
            try
            {
                await tick.WaitForNextTickAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }
        }
    }
}
