using Defuss.Hosting;

namespace Defuss.Tests.Hosting;

public sealed class DeliveryModesTests
{
    private const string NotHere = "socket handoff needs Linux, and this is Plan 9";

    [Theory]
    [InlineData("Auto", null, true)]
    [InlineData("auto", NotHere, false)]
    [InlineData("Handoff", null, true)]
    [InlineData("Proxy", null, false)]
    [InlineData("PROXY", null, false)]
    public void UsesHandoff_FollowsTheSettingAndWhatWorksHere(string delivery, string? whyUnsupported, bool expected)
    {
        var handoff = DeliveryModes.UsesHandoff(new DefussOptions { Delivery = delivery }, whyUnsupported, out var reason);

        handoff.Should().Be(expected);
        reason.Should().StartWith($"Defuss:Delivery is {char.ToUpperInvariant(delivery[0])}{delivery[1..].ToLowerInvariant()}");
    }

    [Fact]
    public void UsesHandoff_AutoWhereHandoffCannotWork_SaysWhy()
    {
        DeliveryModes.UsesHandoff(new DefussOptions(), NotHere, out var reason).Should().BeFalse();

        reason.Should().Be("Defuss:Delivery is Auto, and " + NotHere);
    }

    [Fact]
    public void UsesHandoff_AutoWithBaseWorkerPort_Proxies()
    {
        DeliveryModes.UsesHandoff(new DefussOptions { BaseWorkerPort = 5000 }, whyUnsupported: null, out var reason).Should().BeFalse();

        reason.Should().Contain("BaseWorkerPort");
    }

    [Fact]
    public void WhyHandoffUnsupported_OnThisLinuxMachine_IsNull()
    {
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture is System.Runtime.InteropServices.Architecture.X64 or System.Runtime.InteropServices.Architecture.Arm64)
        {
            DeliveryModes.WhyHandoffUnsupported.Should().BeNull();
        }
        else
        {
            DeliveryModes.WhyHandoffUnsupported.Should().NotBeNull();
        }
    }
}
