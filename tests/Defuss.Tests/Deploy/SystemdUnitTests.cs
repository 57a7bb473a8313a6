namespace Defuss.Tests.Deploy;

/// <summary>
/// deploy/systemd/defuss-app.service: no systemd runs here, so these check the unit against what the primary does:
/// it speaks sd_notify, leads its own drain on SIGTERM, and restarts its workers on SIGHUP.
/// </summary>
public sealed class SystemdUnitTests
{
    private const string UnitFile = "systemd/defuss-app.service";

    private readonly SystemdUnit _unit = SystemdUnit.Load(DeployFiles.PathOf(UnitFile));

    [Fact]
    public void Service_IsTypeNotify_AndTheNewPrimaryOfAHandOverIsHeard()
    {
        _unit.Value("Service", "Type").Should().Be("notify");
        _unit.Value("Service", "NotifyAccess").Should().Be("all", "the new primary of a hand-over sends MAINPID= before it is the main process (the workers have no NOTIFY_SOCKET)");
        _unit.Value("Service", "WatchdogSec").Should().NotBeNull();
        SystemdUnit.ParseTimeSpan(_unit.Value("Service", "WatchdogSec")!).Should().BePositive();
    }

    [Fact]
    public void Stop_SendsSigtermToThePrimaryAlone_AndSigkillToTheRestAtTheEnd()
    {
        _unit.Value("Service", "KillMode").Should().Be("mixed");
        (_unit.Value("Service", "KillSignal") ?? "SIGTERM").Should().Be("SIGTERM");
    }

    [Fact]
    public void Reload_SendsSighupToTheMainPid()
    {
        _unit.Value("Service", "ExecReload").Should().MatchRegex(@"^(/usr)?/bin/kill -HUP \$MAINPID$");
    }

    [Fact]
    public void TimeoutStopSec_IsAboveTheDrain()
    {
        var drain = DeployFiles.OptionsFrom(_unit.Environment()).GracefulShutdownTimeout;

        _unit.Value("Service", "TimeoutStopSec").Should().NotBeNull("systemd's default (90 s) may be changed machine-wide");
        SystemdUnit.ParseTimeSpan(_unit.Value("Service", "TimeoutStopSec")!).Should().BeGreaterThan(drain);
    }

    [Fact]
    public void Settings_AreValidForDefuss_AndRunAsADedicatedUser()
    {
        DeployFiles.ShouldBeValid(DeployFiles.OptionsFrom(_unit.Environment()), UnitFile);
        _unit.Value("Service", "User").Should().NotBeNullOrEmpty().And.NotBe("root");
        _unit.Value("Service", "Restart").Should().Be("on-failure");
    }

    [Fact]
    public void HandOver_ReadsTheUnitsEnvironmentFileAfresh()
    {
        var file = _unit.Value("Service", "EnvironmentFile");
        file.Should().NotBeNull();
        _unit.Environment().Should().Contain("Defuss__EnvironmentFile", file!, "a hand-over gives the new primary what the file says now");
    }

    [Fact]
    public void Socket_ListensForTheServiceOfItsName_AndPassesOneSocket()
    {
        var socket = SystemdUnit.Load(DeployFiles.PathOf("systemd/defuss-app.socket"));

        socket.Value("Socket", "ListenStream").Should().NotBeNullOrEmpty();
        (socket.Value("Socket", "Accept") ?? "no").Should().Be("no", "one primary takes the listening socket; Accept=yes would start a service per connection");
        socket.Value("Socket", "Service").Should().BeNull("the service of the same name (my-app.socket starts my-app.service)");
        socket.Value("Install", "WantedBy").Should().Be("sockets.target");
    }

    [Theory]
    [InlineData("30", 30_000)]
    [InlineData("30s", 30_000)]
    [InlineData("1min 30s", 90_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("2 h", 7_200_000)]
    public void ParseTimeSpan_ReadsSystemdTimeSpans(string text, int milliseconds)
    {
        SystemdUnit.ParseTimeSpan(text).Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Theory]
    [InlineData("infinity")]
    [InlineData("30 parsecs")]
    [InlineData("")]
    public void ParseTimeSpan_RefusesWhatItCannotRead(string text)
    {
        var parse = () => SystemdUnit.ParseTimeSpan(text);

        parse.Should().Throw<FormatException>();
    }

    [Fact]
    public void Parse_JoinsContinuedLines_SkipsComments_AndKeepsTheLastValue()
    {
        var unit = SystemdUnit.Parse("# c\n[Service]\n; c\nType=simple\nType=notify\nEnvironment=A=1 \\\n  \"B=two words\"\n");

        unit.Value("Service", "Type").Should().Be("notify");
        unit.Environment().Should().Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "two words" });
    }
}
