using Defuss.Upgrade;

namespace Defuss.Tests.Upgrade;

public sealed class EnvironmentFileTests
{
    [Fact]
    public void Parse_SystemdsFormat_ReadsCommentsQuotesAndContinuations()
    {
        const string text = "# a comment\n; another\n\nDefuss__LoadBalancer = LeastConnections \nQUOTED=\"a \\\"b\\\" $HOME\"\nSINGLE='c d'\nLONG=one\\\ntwo\nEMPTY=\nDefuss__LoadBalancer=RoundRobin\r\n";

        var variables = EnvironmentFile.Parse(text, "/etc/app/env");

        variables.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["Defuss__LoadBalancer"] = "RoundRobin",
            ["QUOTED"] = "a \"b\" $HOME",
            ["SINGLE"] = "c d",
            ["LONG"] = "onetwo",
            ["EMPTY"] = "",
        });
    }

    [Theory]
    [InlineData("no equals sign", "line 2: expected KEY=VALUE")]
    [InlineData("=value", "line 2: expected KEY=VALUE")]
    [InlineData("1ABC=x", "line 2: '1ABC' is not a variable name")]
    [InlineData("A-B=x", "line 2: 'A-B' is not a variable name")]
    [InlineData("A=\"open", "line 2: the value's quote (\") is not closed")]
    [InlineData("A='x' y", "line 2: text after the closing quote")]
    public void Parse_ABadLine_NamesTheFileAndTheLine(string line, string expected)
    {
        var parse = () => EnvironmentFile.Parse("OK=1\n" + line + "\n", "/etc/app/env");

        parse.Should().Throw<FormatException>().Which.Message.Should().Contain("Defuss:EnvironmentFile '/etc/app/env'").And.Contain(expected);
    }

    [Fact]
    public void Read_AMissingFile_SaysItCannotBeRead()
    {
        var read = () => EnvironmentFile.Read("/nonexistent/defuss/env");

        read.Should().Throw<FormatException>().Which.Message.Should().Contain("'/nonexistent/defuss/env' cannot be read");
    }

    [Fact]
    public void Read_AFileAboveTheLimit_IsRefused()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, new byte[EnvironmentFile.MaxBytes + 1]);

            var read = () => EnvironmentFile.Read(path);

            read.Should().Throw<FormatException>().Which.Message.Should().Contain("an environment file is at most");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
