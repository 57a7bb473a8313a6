using Akka.Actor.Setup;
using Akka.Hosting;

namespace Defuss.Hosting;

/// <summary>
/// What <c>WithDefuss</c> left on an actor system's builder: that Defuss runs in it, and the options delegate it was
/// given. The primary reads it before it starts the host.
/// </summary>
internal sealed class DefussAkkaSetup : Setup
{
    /// <summary>Applied to the options after the configuration and <c>AddDefuss</c>'s delegate.</summary>
    public Action<DefussOptions>? Configure { get; set; }

    /// <summary>The setup <c>WithDefuss</c> added to <paramref name="builder"/>, if it did.</summary>
    public static DefussAkkaSetup? Of(AkkaConfigurationBuilder builder) => builder.Setups.OfType<DefussAkkaSetup>().FirstOrDefault();
}
