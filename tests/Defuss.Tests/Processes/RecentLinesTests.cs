using Defuss.Processes;

namespace Defuss.Tests.Processes;

public sealed class RecentLinesTests
{
    [Fact]
    public void Add_BeyondCapacity_KeepsTheNewestOldestFirst()
    {
        var lines = new RecentLines(3);

        foreach (var i in Enumerable.Range(1, 5))
        {
            lines.Add("line" + i);
        }

        lines.Snapshot().Should().Equal("line3", "line4", "line5");
    }

    [Fact]
    public void Add_HugeLine_IsTruncated()
    {
        var lines = new RecentLines(1);

        lines.Add(new string('x', RecentLines.MaxLineLength * 2));

        lines.Snapshot().Single().Should().HaveLength(RecentLines.MaxLineLength);
    }

    [Fact]
    public void Snapshot_IsACopy()
    {
        var lines = new RecentLines(2);
        lines.Add("a");

        var snapshot = lines.Snapshot();
        lines.Add("b");

        snapshot.Should().Equal("a");
    }

    [Fact]
    public void Constructor_ZeroCapacity_Throws()
    {
        var act = () => new RecentLines(0);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
