namespace Defuss.Samples.Akka;

/// <summary>
/// Which worker serves which tenant, from the <c>Tenants</c> configuration section (<c>--Tenants:acme=1</c> pins tenant
/// <c>acme</c> to worker 1). An app service like any other: <see cref="TenantRouter"/> takes it in its constructor.
/// </summary>
public sealed class TenantPlacement(IConfiguration configuration)
{
    /// <summary>The worker index tenant <paramref name="tenant"/> is pinned to, if it is.</summary>
    public int? PinnedWorker(string tenant) =>
        configuration.GetSection("Tenants").GetValue<int?>(tenant);
}
