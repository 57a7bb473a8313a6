using Defuss.Bench.Load.Options;
using Defuss.Bench.Load.Scenarios;
using Defuss.Bench.Load.Topologies;

namespace Defuss.Tests.Bench.Load.Options;

public sealed class LoadOptionsParserTests
{
    private const int Cores = 2;

    [Fact]
    public void Parse_NoArguments_RunsEverythingWithTheDefaults()
    {
        var options = Parse().Options!;

        options.Scenarios.Should().Equal(ScenarioCatalog.All);
        options.Topologies.Should().Equal(TopologyCatalog.All);
        options.DurationSeconds.Should().Be(LoadOptions.DefaultDurationSeconds);
        options.Connections.Should().Be(LoadOptions.DefaultConnections);
        options.Rounds.Should().Be(3);
        options.Workers.Should().Be(Cores, "workers default to the processor count");
        options.WarmupSeconds.Should().Be(LoadOptions.DefaultWarmupSeconds);
        options.Threads.Should().Be(1);
        options.OutputDirectory.Should().BeNull();
        options.Lifecycle.Should().BeTrue();
    }

    [Fact]
    public void Parse_EqualsAndSpaceForms_ReadTheSameValues()
    {
        var joined = Parse("--duration=5", "--connections=32", "--workers=4", "--rounds=2", "--warmup=0", "--threads=2").Options!;
        var spaced = Parse("--duration", "5", "--connections", "32", "--workers", "4", "--rounds", "2", "--warmup", "0", "--threads", "2").Options!;

        spaced.Should().BeEquivalentTo(joined);
        joined.DurationSeconds.Should().Be(5);
        joined.Connections.Should().Be(32);
        joined.Workers.Should().Be(4);
        joined.Rounds.Should().Be(2);
        joined.WarmupSeconds.Should().Be(0);
        joined.Threads.Should().Be(2);
    }

    [Fact]
    public void Parse_DurationWithSecondsSuffix_IsAccepted()
    {
        Parse("--duration=5s").Options!.DurationSeconds.Should().Be(5);
    }

    [Fact]
    public void Parse_NamedScenariosAndTopologies_KeepTheCatalogueOrderOnceEach()
    {
        var options = Parse("--scenarios=ws-echo,GET,json-echo-small,get", "--topologies", "proxy, plain,proxy").Options!;

        options.Scenarios.Select(s => s.Name).Should().Equal("get", "json-echo-small", "ws-echo");
        options.Topologies.Should().Equal("plain", "proxy");
    }

    [Fact]
    public void Parse_All_SelectsEveryScenarioAndTopology()
    {
        var options = Parse("--scenarios=all", "--topologies=all").Options!;

        options.Scenarios.Should().Equal(ScenarioCatalog.All);
        options.Topologies.Should().Equal(TopologyCatalog.All);
    }

    [Fact]
    public void Parse_SkipLifecycleAndOut_AreRead()
    {
        var options = Parse("--skip-lifecycle", "--out", "some/dir").Options!;

        options.Lifecycle.Should().BeFalse();
        options.OutputDirectory.Should().Be(Path.GetFullPath("some/dir"));
    }

    [Fact]
    public void Parse_BadValues_ReportsEveryErrorAtOnceNamingTheOptionAndTheValue()
    {
        var result = Parse("--duration=0", "--connections=many", "--scenarios=get,gett", "--topologies=plain,apache", "--rounds=-1");

        result.Options.Should().BeNull();
        result.Errors.Should().HaveCount(5);
        result.Errors.Should().ContainSingle(e => e.Contains("--duration") && e.Contains("'0'") && e.Contains("1 to 3600"));
        result.Errors.Should().ContainSingle(e => e.Contains("--connections") && e.Contains("'many'"));
        result.Errors.Should().ContainSingle(e => e.Contains("--scenarios") && e.Contains("'gett'") && e.Contains("json-echo-small"));
        result.Errors.Should().ContainSingle(e => e.Contains("--topologies") && e.Contains("'apache'") && e.Contains("haproxy"));
        result.Errors.Should().ContainSingle(e => e.Contains("--rounds") && e.Contains("'-1'"));
    }

    [Theory]
    [InlineData("--warp=9", "unknown option '--warp'")]
    [InlineData("--filter=*Ask*", "micro --filter")]
    [InlineData("stray", "unexpected argument 'stray'")]
    [InlineData("--duration", "--duration needs a value")]
    [InlineData("--scenarios=,", "--scenarios: ',' names nothing")]
    public void Parse_MalformedArgument_IsNamed(string argument, string expected)
    {
        var result = Parse(argument);

        result.Options.Should().BeNull();
        result.Errors.Should().ContainSingle().Which.Should().Contain(expected);
    }

    [Fact]
    public void Parse_UnknownOptionWithAValue_IsOneError()
    {
        Parse("--filter", "*Ask*", "--rounds=1").Errors.Should().ContainSingle().Which.Should().Contain("micro --filter");
    }

    [Fact]
    public void Parse_OptionGivenTwice_IsAnError()
    {
        Parse("--rounds=1", "--rounds=2").Errors.Should().ContainSingle().Which.Should().Contain("--rounds is given twice ('1' and '2')");
    }

    [Fact]
    public void Parse_FewerConnectionsThanThreads_IsAnError()
    {
        Parse("--connections=2", "--threads=4").Errors.Should().ContainSingle().Which.Should().Contain("--connections (2) must be at least --threads (4)");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Parse_Help_AsksForTheUsage(string argument)
    {
        var result = Parse("--duration=bad", argument);

        result.HelpRequested.Should().BeTrue();
        result.Errors.Should().BeEmpty();
    }

    [Fact]
    public void Usage_ListsEveryOptionScenarioAndTopology()
    {
        var usage = LoadUsage.Text(Cores);

        foreach (var option in new[] { "--scenarios", "--topologies", "--duration", "--connections", "--workers", "--rounds", "--warmup", "--threads", "--out", "--skip-lifecycle" })
        {
            usage.Should().Contain(option);
        }

        ScenarioCatalog.All.Should().OnlyContain(s => usage.Contains(s.Name));
        TopologyCatalog.All.Should().OnlyContain(t => usage.Contains(t));
    }

    private static ParseResult Parse(params string[] args) => LoadOptionsParser.Parse(args, Cores);
}
