using Defuss.Tests.Integration;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Deploy;

/// <summary>
/// <c>Workers=auto</c> in a container: .NET's <c>Environment.ProcessorCount</c> follows the container's CPU limit (a
/// cgroup quota), which no test here can set; <c>DOTNET_PROCESSOR_COUNT</c> sets what the runtime sees the same way.
/// </summary>
[Collection(ShowcaseCollection.Name)]
public sealed class WorkersAutoTests
{
    [Fact]
    public async Task WorkersAuto_StartsOneWorkerPerProcessorTheRuntimeSees()
    {
        var environment = new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = "3" };
        await using var defuss = await DefussProcess.StartAppAsync(DefussProcess.ShowcasePath, environment, "--Defuss:Workers=auto");

        await defuss.WaitForLineAsync(@"Defuss primary \d+ starting 3 workers");
        await defuss.WaitForLineAsync(@"Worker 2 ready: pid \d+");
        using var admin = defuss.AdminClient();
        var status = await admin.StatusWhenAsync(s => s.GetProperty("readyWorkers").GetInt32() == 3, TestTimeouts.Bulk);

        status.GetProperty("workers").GetArrayLength().Should().Be(3);
        defuss.Output.Should().NotContain("Worker 3 ");
        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        await defuss.WaitForNoWorkersAsync(TestTimeouts.Default);
    }
}
