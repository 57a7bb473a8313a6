using Defuss.Processes;

namespace Defuss.Tests.Processes;

public sealed class RecentLinesTests
{
    /// <summary>What a line of <paramref name="chars"/> characters costs.</summary>
    private static int Cost(int chars) => RecentLines.LineOverhead + (chars * sizeof(char));

    [Fact]
    public void Add_BeyondTheByteCapacity_KeepsTheNewestOldestFirst()
    {
        var lines = new RecentLines(3 * Cost(5));

        foreach (var i in Enumerable.Range(1, 5))
        {
            lines.Add("line" + i);
        }

        lines.Snapshot().Should().Equal("line3", "line4", "line5");
        lines.Bytes.Should().Be(3 * Cost(5));
    }

    [Fact]
    public void Add_ALongLine_PushesOutAsManyOldLinesAsItNeeds()
    {
        var lines = new RecentLines(4 * Cost(10));
        foreach (var i in Enumerable.Range(0, 4))
        {
            lines.Add(new string((char)('a' + i), 10));
        }

        lines.Add(new string('z', 20));

        lines.Snapshot().Should().Equal(new string('c', 10), new string('d', 10), new string('z', 20));
    }

    [Fact]
    public void Add_ALineLongerThanTheCapacity_KeepsItsStartAlone()
    {
        var lines = new RecentLines(Cost(100));
        lines.Add("old");

        lines.Add(new string('x', 1000));

        lines.Snapshot().Single().Should().Be(new string('x', 100));
        lines.Bytes.Should().Be(Cost(100));
    }

    [Fact]
    public void Add_AFloodOfEmptyLines_StaysWithinTheCapacity()
    {
        var lines = new RecentLines(64 * 1024);

        for (var i = 0; i < 100_000; i++)
        {
            lines.Add("");
        }

        lines.Bytes.Should().BeLessThanOrEqualTo(64 * 1024);
        lines.Snapshot().Should().HaveCount(64 * 1024 / RecentLines.LineOverhead);
    }

    [Fact]
    public void Snapshot_IsACopy()
    {
        var lines = new RecentLines(1024);
        lines.Add("a");

        var snapshot = lines.Snapshot();
        lines.Add("b");

        snapshot.Should().Equal("a");
    }

    [Fact]
    public void Constructor_NoRoomForOneCharacter_Throws()
    {
        var act = () => new RecentLines(RecentLines.LineOverhead);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
