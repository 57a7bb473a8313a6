using Defuss.Worker.Protocol;
using Defuss.Worker.Runtime;

namespace Defuss.Tests.Worker.Runtime;

public sealed class WorkerSettingsTests
{
    private static Dictionary<string, string?> ValidEnvironment() => new()
    {
        [WorkerEnvironment.Role] = WorkerEnvironment.WorkerRole,
        [WorkerEnvironment.Index] = "2",
        [WorkerEnvironment.Incarnation] = "5",
        [WorkerEnvironment.Secret] = "s3cret",
        [WorkerEnvironment.ControlEndpoint] = "/run/defuss/control.sock",
        [WorkerEnvironment.Endpoint] = "unix:/run/defuss/worker-2.sock",
        [WorkerEnvironment.HeartbeatIntervalMs] = "250",
    };

    [Fact]
    public void FromEnvironment_AllValid_ReadsEverySetting()
    {
        var env = ValidEnvironment();

        var settings = WorkerSettings.FromEnvironment(env.GetValueOrDefault);

        settings.Should().Be(new WorkerSettings(2, 5, "s3cret", "/run/defuss/control.sock", "unix:/run/defuss/worker-2.sock", TimeSpan.FromMilliseconds(250)));
        settings.ControlConnectTimeout.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void FromEnvironment_TcpEndpoint_KeepsTheText()
    {
        var env = ValidEnvironment();
        env[WorkerEnvironment.Endpoint] = "tcp:127.0.0.1:5002";

        WorkerSettings.FromEnvironment(env.GetValueOrDefault).Endpoint.Should().Be("tcp:127.0.0.1:5002");
    }

    [Fact]
    public void FromEnvironment_NoHeartbeatInterval_UsesTheDefault()
    {
        var env = ValidEnvironment();
        env.Remove(WorkerEnvironment.HeartbeatIntervalMs);

        WorkerSettings.FromEnvironment(env.GetValueOrDefault).HeartbeatInterval.Should().Be(WorkerSettings.DefaultHeartbeatInterval);
    }

    [Fact]
    public void FromEnvironment_PrimaryPid_IsReadAndOptional()
    {
        var env = ValidEnvironment();
        WorkerSettings.FromEnvironment(env.GetValueOrDefault).PrimaryPid.Should().BeNull("a worker started otherwise watches no primary");

        env[WorkerEnvironment.PrimaryPid] = "4242";

        WorkerSettings.FromEnvironment(env.GetValueOrDefault).PrimaryPid.Should().Be(4242);
    }

    [Fact]
    public void FromEnvironment_BadPrimaryPid_NamesIt()
    {
        var env = ValidEnvironment();
        env[WorkerEnvironment.PrimaryPid] = "0";

        var read = () => WorkerSettings.FromEnvironment(env.GetValueOrDefault);

        read.Should().Throw<InvalidOperationException>().WithMessage("*DEFUSS_PRIMARY_PID='0'*");
    }

    [Fact]
    public void FromEnvironment_ControlEndpointInUnixForm_TakesThePath()
    {
        var env = ValidEnvironment();
        env[WorkerEnvironment.ControlEndpoint] = "unix:/run/defuss/control.sock";

        WorkerSettings.FromEnvironment(env.GetValueOrDefault).ControlEndpoint.Should().Be("/run/defuss/control.sock");
    }

    [Fact]
    public void FromEnvironment_EveryVariableBad_NamesEachVariableAndValue()
    {
        var env = new Dictionary<string, string?>
        {
            [WorkerEnvironment.Index] = "-1",
            [WorkerEnvironment.Incarnation] = "zero",
            [WorkerEnvironment.Secret] = "   ",
            [WorkerEnvironment.ControlEndpoint] = "/" + new string('c', 200),
            [WorkerEnvironment.Endpoint] = "http://127.0.0.1:5000",
            [WorkerEnvironment.HeartbeatIntervalMs] = "0",
        };

        var read = () => WorkerSettings.FromEnvironment(env.GetValueOrDefault);

        var message = read.Should().Throw<InvalidOperationException>().Which.Message;
        message.Should().Contain("DEFUSS_WORKER_INDEX='-1'")
            .And.Contain("DEFUSS_WORKER_INCARNATION='zero'")
            .And.Contain("DEFUSS_WORKER_SECRET is missing or empty")
            .And.Contain($"DEFUSS_CONTROL_ENDPOINT='/{new string('c', 200)}'")
            .And.Contain("DEFUSS_WORKER_ENDPOINT='http://127.0.0.1:5000'")
            .And.Contain("DEFUSS_HEARTBEAT_INTERVAL_MS='0'");
    }

    [Fact]
    public void FromEnvironment_NothingSet_NamesEveryRequiredVariable()
    {
        var read = () => WorkerSettings.FromEnvironment(_ => null);

        var message = read.Should().Throw<InvalidOperationException>().Which.Message;
        message.Should().Contain("DEFUSS_WORKER_INDEX is missing")
            .And.Contain("DEFUSS_WORKER_INCARNATION is missing")
            .And.Contain("DEFUSS_WORKER_SECRET is missing")
            .And.Contain("DEFUSS_CONTROL_ENDPOINT is missing")
            .And.Contain("DEFUSS_WORKER_ENDPOINT is missing")
            .And.NotContain("DEFUSS_HEARTBEAT_INTERVAL_MS");
    }

    [Theory]
    [InlineData("4294967296")]
    [InlineData("1.5")]
    [InlineData("+1")]
    [InlineData(" 1")]
    public void FromEnvironment_IndexNotAnInt_NamesIt(string index)
    {
        var env = ValidEnvironment();
        env[WorkerEnvironment.Index] = index;

        var read = () => WorkerSettings.FromEnvironment(env.GetValueOrDefault);

        read.Should().Throw<InvalidOperationException>().WithMessage($"*DEFUSS_WORKER_INDEX='{index}'*");
    }

    [Theory]
    [InlineData("worker", true)]
    [InlineData("primary", false)]
    [InlineData("Worker", false)]
    [InlineData(null, false)]
    public void IsWorkerProcess_Role_IsTrueOnlyForWorker(string? role, bool expected)
    {
        var env = new Dictionary<string, string?> { [WorkerEnvironment.Role] = role };

        WorkerSettings.IsWorkerProcess(env.GetValueOrDefault).Should().Be(expected);
    }

    [Fact]
    public void ToString_Always_HidesTheSecret()
    {
        var settings = WorkerSettings.FromEnvironment(ValidEnvironment().GetValueOrDefault);

        settings.ToString().Should().NotContain("s3cret").And.Contain("Index = 2").And.Contain("unix:/run/defuss/worker-2.sock");
    }
}
