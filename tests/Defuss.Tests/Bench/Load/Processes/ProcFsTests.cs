using Defuss.Bench.Load.Processes;

namespace Defuss.Tests.Bench.Load.Processes;

public sealed class ProcFsTests
{
    [Fact]
    public void ParseStat_CommandWithSpacesAndParentheses_ReadsTheFieldsAfterIt()
    {
        const string line = "4242 (my (odd) app) S 4200 4242 4200 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 12 0 987654 1000000 5000 18446744073709551615";

        var stat = ProcFs.ParseStat(line)!;

        stat.Should().Be(new ProcStat(Pid: 4242, ParentPid: 4200, State: 'S', UserTicks: 250, SystemTicks: 75, StartTicks: 987654));
        stat.CpuTicks.Should().Be(325);
        stat.IsGone.Should().BeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a stat line")]
    [InlineData("12 (short) S 1 2 3")]
    public void ParseStat_NotAStatLine_IsNull(string line)
    {
        ProcFs.ParseStat(line).Should().BeNull();
    }

    [Fact]
    public void ParseStat_Zombie_IsGone()
    {
        ProcFs.ParseStat("7 (x) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0 0")!.IsGone.Should().BeTrue();
    }

    [Fact]
    public void ParseResidentBytes_ReadsVmRssInKibibytes()
    {
        const string status = "Name:\tdotnet\nVmPeak:\t 3000000 kB\nVmRSS:\t   61234 kB\nRssAnon:\t   40000 kB\n";

        ProcFs.ParseResidentBytes(status).Should().Be(61234L * 1024);
        ProcFs.ParseResidentBytes("Name:\tzombie\nState:\tZ (zombie)\n").Should().BeNull();
    }

    [Fact]
    public void Descendants_FindsChildrenAndTheirChildren_OnlyBelowTheRoot()
    {
        (int, int)[] processes = [(10, 1), (11, 10), (12, 10), (13, 11), (20, 1), (21, 20)];

        ProcFs.Descendants(10, processes).Should().BeEquivalentTo([11, 12, 13]);
        ProcFs.Descendants(13, processes).Should().BeEmpty();
    }

    [Fact]
    public void ReadStat_ThisProcess_IsAliveAndHasUsedCpu()
    {
        var stat = ProcFs.ReadStat(Environment.ProcessId)!;

        stat.Pid.Should().Be(Environment.ProcessId);
        ProcFs.IsAlive(stat).Should().BeTrue();
        ProcFs.IsAlive(stat with { StartTicks = stat.StartTicks + 1 }).Should().BeFalse("another start time is another process");
        ProcFs.ReadResidentBytes(Environment.ProcessId).Should().BePositive();
    }
}
