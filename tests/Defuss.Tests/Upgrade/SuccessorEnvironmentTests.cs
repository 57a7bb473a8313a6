using System.Collections;
using Defuss.Hosting;
using Defuss.Upgrade;

namespace Defuss.Tests.Upgrade;

public sealed class SuccessorEnvironmentTests
{
    [Fact]
    public void Build_LaysTheFileOverTheEnvironment_DropsWhatTheFileNoLongerHas_AndWhatSystemdGaveTheOldProcess()
    {
        IDictionary current = new Hashtable
        {
            ["PATH"] = "/usr/bin",
            ["Defuss__LoadBalancer"] = "RoundRobin",
            ["Defuss__Workers"] = "4",
            ["LISTEN_FDS"] = "1",
            ["LISTEN_PID"] = "100",
            ["LISTEN_FDNAMES"] = "web",
            ["WATCHDOG_PID"] = "100",
            ["WATCHDOG_USEC"] = "30000000",
            ["NOTIFY_SOCKET"] = "/run/systemd/notify",
            [SuccessorEnvironment.SocketVariable] = "/tmp/defuss-old/upgrade.sock",
        };
        var atStart = new Dictionary<string, string> { ["Defuss__LoadBalancer"] = "RoundRobin", ["Defuss__Workers"] = "4" };
        var now = new Dictionary<string, string> { ["Defuss__LoadBalancer"] = "LeastConnections", ["NEW"] = "yes" };

        var environment = SuccessorEnvironment.Build(current, now, atStart, "/tmp/defuss-x/upgrade.sock");

        environment.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["PATH"] = "/usr/bin",
            ["Defuss__LoadBalancer"] = "LeastConnections",
            ["NEW"] = "yes",
            ["WATCHDOG_USEC"] = "30000000",
            ["NOTIFY_SOCKET"] = "/run/systemd/notify",
            [SuccessorEnvironment.SocketVariable] = "/tmp/defuss-x/upgrade.sock",
        });
    }

    [Fact]
    public void Build_WithoutAFile_PassesTheEnvironmentAsItIs()
    {
        IDictionary current = new Hashtable { ["A"] = "1" };

        SuccessorEnvironment.Build(current, null, null, "/s").Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["A"] = "1",
            [SuccessorEnvironment.SocketVariable] = "/s",
        });
    }

    [Fact]
    public void ReadFile_AMissingFile_IsRefused_UnlessItsPathStartsWithADash()
    {
        var missing = "/nonexistent/defuss/env";

        var required = () => SuccessorEnvironment.ReadFile(new DefussOptions { EnvironmentFile = missing });

        required.Should().Throw<FormatException>().Which.Message.Should().Contain("cannot be read");
        SuccessorEnvironment.ReadFile(new DefussOptions { EnvironmentFile = "-" + missing }).Should().BeEmpty("as in systemd's EnvironmentFile=-/path");
        SuccessorEnvironment.ReadFile(new DefussOptions()).Should().BeNull();
    }
}
