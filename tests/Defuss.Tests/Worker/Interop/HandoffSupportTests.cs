using System.Runtime.InteropServices;
using Defuss.Worker.Interop;

namespace Defuss.Tests.Worker.Interop;

public sealed class HandoffSupportTests
{
    [Fact]
    public void WhyUnsupported_ThisPlatform_IsNullExactlyOnLinuxX64OrArm64()
    {
        var supported = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

        var why = HandoffSupport.WhyUnsupported;

        if (supported)
        {
            why.Should().BeNull("passing a descriptor works on 64-bit Linux");
        }
        else
        {
            why.Should().NotBeNullOrWhiteSpace();
        }
    }
}
