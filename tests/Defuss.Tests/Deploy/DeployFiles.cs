using System.Reflection;
using Defuss.Hosting;
using Microsoft.Extensions.Configuration;

namespace Defuss.Tests.Deploy;

/// <summary>The deployment files under <c>deploy/</c>, and the Defuss settings they give the primary.</summary>
internal static class DeployFiles
{
    /// <summary>The repository root, from the test assembly's <c>RepositoryRoot</c> metadata.</summary>
    public static string RepositoryRoot { get; } = Path.GetFullPath(
        typeof(DeployFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!);

    /// <summary>The path of <paramref name="relativePath"/> under <c>deploy/</c>.</summary>
    public static string PathOf(string relativePath) => Path.Combine(RepositoryRoot, "deploy", relativePath);

    /// <summary>
    /// The options a primary would run with, given these environment variables (<c>Defuss__Port</c> and the like; others
    /// are left out) on top of Defuss's defaults, bound the way <c>AddDefuss</c> binds the <c>Defuss</c> section.
    /// </summary>
    public static DefussOptions OptionsFrom(IEnumerable<KeyValuePair<string, string>> environment)
    {
        var prefix = DefussOptions.SectionName + "__";
        var settings = environment
            .Where(variable => variable.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(variable => KeyValuePair.Create(variable.Key.Replace("__", ":", StringComparison.Ordinal), (string?)variable.Value));
        var options = new DefussOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(DefussOptions.SectionName).Bind(options);
        return options;
    }

    /// <summary>The port of <paramref name="options"/>' admin URL, which must be set.</summary>
    public static int AdminPort(DefussOptions options)
    {
        options.AdminUrl.Should().NotBeNull("the admin endpoint must listen for the probes and Prometheus");
        Defuss.Admin.AdminUrl.TryParse(options.AdminUrl!, out var url).Should().BeTrue($"Defuss:AdminUrl '{options.AdminUrl}' must be a URL Defuss listens on");
        return url.Port;
    }

    /// <summary>Asserts that Defuss would start with <paramref name="options"/>: no setting of <paramref name="file"/> is invalid.</summary>
    public static void ShouldBeValid(DefussOptions options, string file) =>
        DefussOptionsValidator.Validate(options, whyHandoffUnsupported: () => null).Should().BeEmpty($"Defuss must accept the settings of {file}");
}
