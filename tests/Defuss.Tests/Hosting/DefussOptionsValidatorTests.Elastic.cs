using Defuss.Hosting;

namespace Defuss.Tests.Hosting;

public sealed class DefussOptionsValidatorElasticTests
{
    [Fact]
    public void Validate_AnElasticPool_IsValidAndStartsAtItsMinimum()
    {
        var options = new DefussOptions { MinWorkers = 2, MaxWorkers = 6 };

        DefussOptionsValidator.Validate(options).Should().BeEmpty();
        options.ResolveWorkerCount().Should().Be(2);
        options.ScalingPolicy().Should().BeEquivalentTo(new { MinWorkers = 2, MaxWorkers = 6, ScaleUpAfter = TimeSpan.FromSeconds(15), ScaleDownAfter = TimeSpan.FromMinutes(5) });
    }

    [Theory]
    [InlineData(5, 3, "Defuss:MinWorkers = '5' is invalid: expected at most MaxWorkers (3).")]
    [InlineData(1, 2000, "Defuss:MaxWorkers = '2000' is invalid: expected at most 1024.")]
    [InlineData(0, 2, "Defuss:MinWorkers = '0' is invalid: expected 1 or more.")]
    public void Validate_BadBounds_NameTheSettingAndTheValue(int min, int max, string error)
    {
        DefussOptionsValidator.Validate(new DefussOptions { MinWorkers = min, MaxWorkers = max }).Should().Contain(error);
    }

    [Fact]
    public void Validate_WorkersGivenWithTheBounds_IsAnError()
    {
        DefussOptionsValidator.Validate(new DefussOptions { Workers = "4", MinWorkers = 1, MaxWorkers = 2 })
            .Should().ContainSingle().Which.Should().StartWith("Defuss:Workers = '4' is invalid: a fixed size cannot be given with MinWorkers/MaxWorkers");
    }

    [Fact]
    public void Validate_DownThresholdsNotBelowUp_AreErrors()
    {
        var errors = DefussOptionsValidator.Validate(new DefussOptions { MinWorkers = 1, MaxWorkers = 2, ScaleDownCpuPercent = 80, ScaleDownRequestsInFlight = 40 });

        errors.Should().HaveCount(2);
        errors.Should().Contain(e => e.StartsWith("Defuss:ScaleDownCpuPercent = '80' is invalid", StringComparison.Ordinal) && e.Contains("flap"));
    }

    [Fact]
    public void Validate_OnlyMaxWorkers_MakesAPoolFromOne()
    {
        var options = new DefussOptions { MaxWorkers = 3 };

        DefussOptionsValidator.Validate(options).Should().BeEmpty();
        options.ScalingPolicy()!.MinWorkers.Should().Be(1);
    }
}
