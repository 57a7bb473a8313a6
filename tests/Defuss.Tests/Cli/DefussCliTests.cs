using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Cli;

public sealed class DefussCliTests
{
    [Theory]
    [InlineData("-3", "logs", "--lines", "-3")]
    [InlineData("abc", "logs", "--worker", "abc")]
    [InlineData("not-a-url", "ls", "--admin", "not-a-url")]
    [InlineData("ftp://127.0.0.1:9464", "top", "--admin", "ftp://127.0.0.1:9464")]
    [InlineData("/relative", "reload", "--admin", "/relative")]
    [InlineData("x1", "top", "--pid", "x1")]
    public async Task RunAsync_BadValue_ExitsTwoNamingIt(string bad, params string[] args)
    {
        await using var cli = new CliHarness();

        var exitCode = await cli.RunAsync(args);

        exitCode.Should().Be(2);
        cli.Console.Text.Should().Contain($"'{bad}'");
    }

    [Fact]
    public async Task RunAsync_SeveralBadValues_ReportsEveryOne()
    {
        await using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("logs", "--worker", "w", "--lines", "many");

        exitCode.Should().Be(2);
        cli.Console.Text.Should().Contain("--worker 'w'").And.Contain("--lines 'many'");
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("ls", "--bogus")]
    public async Task RunAsync_UnknownCommandOrOption_ExitsTwo(params string[] args)
    {
        await using var cli = new CliHarness();

        var exitCode = await cli.RunAsync(args);

        exitCode.Should().Be(2);
        cli.Console.Text.Should().Contain(args[^1].TrimStart('-'));
    }

    [Fact]
    public async Task RunAsync_Help_ListsTheCommands()
    {
        await using var cli = new CliHarness();

        var exitCode = await cli.RunAsync("--help");

        exitCode.Should().Be(0);
        cli.Console.Text.Should().Contain("ls").And.Contain("top").And.Contain("reload").And.Contain("logs");
    }
}
