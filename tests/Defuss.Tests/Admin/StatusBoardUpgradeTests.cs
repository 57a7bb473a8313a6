using Defuss.Admin;
using Defuss.Hosting;

namespace Defuss.Tests.Admin;

public sealed class StatusBoardUpgradeTests
{
    [Fact]
    public void Snapshot_FollowsAHandOver_FromIdleToStartingToAFailure()
    {
        var board = new StatusBoard();
        board.Snapshot(1, "1.0").Upgrade.Should().Be(UpgradeStatus.Idle);

        var pid = 0;
        board.SetUpgrade(UpgradeStatus.Starting, () => pid);
        board.Snapshot(1, "1.0").Upgrade.Should().Be(new UpgradeStatus("starting", null, null, null), "no pid until the new primary has started");
        pid = 77;
        board.Snapshot(1, "1.0").Upgrade.Should().Be(new UpgradeStatus("starting", 77, null, null));

        board.SetUpgradeFailed(77, "it exited with exit code 1 before it reached the hand-over socket");
        var failed = board.Snapshot(1, "1.0").Upgrade;
        failed.State.Should().Be("idle");
        failed.SuccessorPid.Should().BeNull();
        failed.LastFailure.Should().Be("new primary 77: it exited with exit code 1 before it reached the hand-over socket");
        failed.LastFailureAt.Should().NotBeNull();
    }

    [Fact]
    public void Snapshot_ListsThePredecessorAsDrainingWhileItRuns()
    {
        var board = new StatusBoard();
        var alive = true;
        board.WatchProcessesWith(pid => pid == 4242 && alive);
        board.Snapshot(1, "1.0").Predecessor.Should().BeNull();

        board.SetPredecessor(4242);
        board.Snapshot(1, "1.0").Predecessor.Should().Be(new PredecessorStatus(4242, "draining"));

        alive = false;
        board.Snapshot(1, "1.0").Predecessor.Should().BeNull("a predecessor that has exited is no longer listed");
    }
}
