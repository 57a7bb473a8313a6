using Defuss.Worker.Interop;
using Defuss.Worker.Runtime.Handoff;

namespace Defuss.Tests.Worker.Runtime.Handoff;

public sealed class DescriptorReserveTests
{
    [Fact]
    public void ShouldGiveBack_ADescriptorThatLeavesFewerThanTheReserveFree_IsGivenBackWhileConnectionsAreOpen()
    {
        var limit = LinuxSockets.DescriptorLimit();
        var reserve = new DescriptorReserve(32);
        reserve.Opened();

        reserve.ShouldGiveBack(limit - 33).Should().BeFalse("32 numbers are still free above it");
        reserve.ShouldGiveBack(limit - 32).Should().BeTrue("only 31 would be left");
        reserve.ShouldGiveBack(limit - 1).Should().BeTrue();
        reserve.ShouldGiveBack(3).Should().BeFalse();
    }

    [Fact]
    public void ShouldGiveBack_NoConnectionOpen_ServesWhateverCame()
    {
        var reserve = new DescriptorReserve(32);
        reserve.Opened();
        reserve.Closed();

        reserve.ShouldGiveBack(LinuxSockets.DescriptorLimit() - 1).Should().BeFalse("no connection it serves would free a descriptor, so waiting helps nothing");
        reserve.OpenConnections.Should().Be(0);
    }
}
