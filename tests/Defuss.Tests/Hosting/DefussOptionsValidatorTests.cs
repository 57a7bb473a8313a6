using Defuss.Hosting;

namespace Defuss.Tests.Hosting;

public sealed class DefussOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_HasNoErrors()
    {
        DefussOptionsValidator.Validate(new DefussOptions()).Should().BeEmpty();
    }

    [Fact]
    public void Validate_ReportsEveryErrorAtOnce_EachNamingTheSettingAndValue()
    {
        var options = new DefussOptions
        {
            Host = "not-an-ip",
            Port = 70000,
            Workers = "0",
            RequestInspectionTimeout = TimeSpan.FromMilliseconds(-1),
            MaxHeaderBytes = 10,
            GracefulShutdownTimeout = TimeSpan.FromSeconds(-1),
            LoadBalancer = "Fastest",
        };

        var errors = DefussOptionsValidator.Validate(options);

        errors.Should().HaveCount(7);
        errors.Should().Contain(e => e.Contains("Defuss:Host = 'not-an-ip'"));
        errors.Should().Contain(e => e.Contains("Defuss:Port = '70000'"));
        errors.Should().Contain(e => e.Contains("Defuss:Workers = '0'"));
        errors.Should().Contain(e => e.Contains("Defuss:RequestInspectionTimeout = '-00:00:00.0010000'"));
        errors.Should().Contain(e => e.Contains("Defuss:MaxHeaderBytes = '10'"));
        errors.Should().Contain(e => e.Contains("Defuss:GracefulShutdownTimeout"));
        errors.Should().Contain(e => e.Contains("Defuss:LoadBalancer = 'Fastest'") && e.Contains("RoundRobin"));
    }

    [Fact]
    public void Validate_ConnectionLimits_NameTheSettingAndTheValue()
    {
        var options = new DefussOptions
        {
            MaxConnections = 0,
            ProxyIdleTimeout = TimeSpan.FromSeconds(-1),
            HalfCloseTimeout = TimeSpan.FromDays(2),
        };

        var errors = DefussOptionsValidator.Validate(options);

        errors.Should().HaveCount(3);
        errors.Should().Contain(e => e.Contains("Defuss:MaxConnections = '0'") && e.Contains("derived from the descriptor limit"));
        errors.Should().Contain(e => e.Contains("Defuss:ProxyIdleTimeout = '-00:00:01'"));
        errors.Should().Contain(e => e.Contains("Defuss:HalfCloseTimeout = '2.00:00:00'"));
    }

    [Fact]
    public void Validate_ConnectionLimitsTurnedOff_AreValid()
    {
        var options = new DefussOptions { MaxConnections = 1, ProxyIdleTimeout = TimeSpan.Zero, HalfCloseTimeout = TimeSpan.Zero };

        DefussOptionsValidator.Validate(options).Should().BeEmpty();
    }

    [Fact]
    public void Validate_UnknownDelivery_NamesTheValueAndTheModes()
    {
        var errors = DefussOptionsValidator.Validate(new DefussOptions { Delivery = "Teleport" });

        errors.Should().ContainSingle().Which.Should().Contain("Defuss:Delivery = 'Teleport'").And.Contain("Auto, Handoff, Proxy");
    }

    [Fact]
    public void Validate_HandoffWithBaseWorkerPort_IsAnError()
    {
        var errors = DefussOptionsValidator.Validate(new DefussOptions { Delivery = "Handoff", BaseWorkerPort = 5000 }, () => null);

        errors.Should().ContainSingle().Which.Should().Contain("Defuss:Delivery = 'Handoff'").And.Contain("BaseWorkerPort (5000)");
    }

    [Fact]
    public void Validate_HandoffWhereItCannotWork_SaysWhy()
    {
        var errors = DefussOptionsValidator.Validate(new DefussOptions { Delivery = "handoff" }, () => "socket handoff needs Linux, and this is Plan 9");

        errors.Should().ContainSingle().Which.Should().Contain("Defuss:Delivery = 'handoff'").And.Contain("Plan 9").And.Contain("use Auto or Proxy");
    }

    [Fact]
    public void Validate_AutoWhereHandoffCannotWork_IsFine()
    {
        DefussOptionsValidator.Validate(new DefussOptions(), () => "socket handoff needs Linux, and this is Plan 9").Should().BeEmpty();
    }

    [Theory]
    [InlineData("auto", true)]
    [InlineData("AUTO", true)]
    [InlineData("1", true)]
    [InlineData("1024", true)]
    [InlineData("0", false)]
    [InlineData("-2", false)]
    [InlineData("1025", false)]
    [InlineData("two", false)]
    [InlineData("", false)]
    public void TryResolveWorkers_AcceptsAutoOrAPositiveCount(string workers, bool valid)
    {
        DefussOptionsValidator.TryResolveWorkers(workers, out var count).Should().Be(valid);
        if (valid)
        {
            count.Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public void Validate_StaleAfterNotAboveTheInterval_IsAnError()
    {
        var options = new DefussOptions { WorkerHeartbeatInterval = TimeSpan.FromSeconds(2), WorkerHeartbeatStaleAfter = TimeSpan.FromSeconds(2) };

        DefussOptionsValidator.Validate(options).Should().ContainSingle(e => e.Contains("Defuss:WorkerHeartbeatStaleAfter"));
    }

    [Fact]
    public void Validate_WorkerPortsThatOverlapThePublicPort_IsAnError()
    {
        var options = new DefussOptions { Port = 3001, BaseWorkerPort = 3000, Workers = "4" };

        DefussOptionsValidator.Validate(options).Should().ContainSingle(e => e.Contains("Defuss:BaseWorkerPort") && e.Contains("3001"));
    }

    [Fact]
    public void Validate_DefussVariablesInWorkerEnv_IsAnError()
    {
        var options = new DefussOptions { WorkerEnv = { ["DEFUSS_ROLE"] = "primary", ["FEATURE_X"] = "on" } };

        DefussOptionsValidator.Validate(options).Should().ContainSingle(e => e.Contains("Defuss:WorkerEnv = 'DEFUSS_ROLE'"));
    }

    [Fact]
    public void Validate_RestartSettings_AreCheckedTogether()
    {
        var options = new DefussOptions
        {
            RestartBackoffMin = TimeSpan.FromSeconds(2),
            RestartBackoffMax = TimeSpan.FromSeconds(1),
            MaxRestarts = -1,
            MaxRestartsWindow = TimeSpan.Zero,
            WorkerKillGrace = TimeSpan.FromSeconds(-1),
        };

        var errors = DefussOptionsValidator.Validate(options);

        errors.Should().HaveCount(4);
        errors.Should().Contain(e => e.Contains("Defuss:RestartBackoffMax = '00:00:01'") && e.Contains("RestartBackoffMin"));
        errors.Should().Contain(e => e.Contains("Defuss:MaxRestarts = '-1'"));
        errors.Should().Contain(e => e.Contains("Defuss:MaxRestartsWindow"));
        errors.Should().Contain(e => e.Contains("Defuss:WorkerKillGrace"));
    }

    [Fact]
    public void Validate_RoutingSettings_ReportsEachBadValue()
    {
        var options = new DefussOptions { RoutingTimeout = TimeSpan.Zero, ConsistentHashKey = "query:id" };

        var errors = DefussOptionsValidator.Validate(options);

        errors.Should().HaveCount(2);
        errors.Should().Contain(e => e.Contains("Defuss:RoutingTimeout = '00:00:00'"));
        errors.Should().Contain(e => e.Contains("Defuss:ConsistentHashKey = 'query:id'"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(17)]
    public void Validate_ConnectAttemptsOutOfRange_IsAnErrorNamingTheValue(int attempts)
    {
        var options = new DefussOptions { ConnectAttempts = attempts };

        DefussOptionsValidator.Validate(options).Should().ContainSingle()
            .Which.Should().Contain($"Defuss:ConnectAttempts = '{attempts}'").And.Contain("from 1 to 16");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public void Validate_ConnectAttemptsAtTheBounds_IsValid(int attempts)
    {
        DefussOptionsValidator.Validate(new DefussOptions { ConnectAttempts = attempts }).Should().BeEmpty();
    }

    [Fact]
    public void Validate_RoutingAndConnectErrors_AreReportedTogether()
    {
        var options = new DefussOptions { ConnectAttempts = 0, EjectionPeriod = TimeSpan.FromSeconds(-1), RoutingTimeout = TimeSpan.Zero };

        var errors = DefussOptionsValidator.Validate(options);

        errors.Should().HaveCount(3);
        errors.Should().Contain(e => e.Contains("Defuss:ConnectAttempts = '0'"));
        errors.Should().Contain(e => e.Contains("Defuss:EjectionPeriod = '-00:00:01'"));
        errors.Should().Contain(e => e.Contains("Defuss:RoutingTimeout = '00:00:00'"));
    }

    [Fact]
    public void Validate_LoadBalancerNames_AreCaseInsensitiveAndIgnoredForACustomRouter()
    {
        DefussOptionsValidator.Validate(new DefussOptions { LoadBalancer = "leastconnections" }).Should().BeEmpty();
        DefussOptionsValidator.Validate(new DefussOptions { LoadBalancer = "Fastest" }.UseRouter(_ => null)).Should().BeEmpty();
    }
}
