using Defuss.Processes;

namespace Defuss.Tests.Processes;

public sealed class WorkerLineLabelTests
{
    private static readonly string Prefix = WorkerLineLabel.Prefix(3, 4250);
    private static readonly string Json = WorkerLineLabel.JsonProperties(3, 4250);

    [Fact]
    public void Join_PlainLines_PrefixesEachWithTheWorkerAndPid()
    {
        var joined = WorkerLineLabel.Join(["fail: App[0]", "      boom", "   at App.Run()"], Prefix, Json);

        joined.Should().Be("[w3 4250] fail: App[0]\n[w3 4250]       boom\n[w3 4250]    at App.Run()");
    }

    [Theory]
    [InlineData("{\"@t\":\"2026\",\"@m\":\"hi\"}", "{\"WorkerIndex\":3,\"WorkerPid\":4250,\"@t\":\"2026\",\"@m\":\"hi\"}")]
    [InlineData("{ \"a\": 1 }  ", "{\"WorkerIndex\":3,\"WorkerPid\":4250,\"a\": 1 }")]
    [InlineData("{}", "{\"WorkerIndex\":3,\"WorkerPid\":4250}")]
    public void Join_AJsonObjectLine_GetsTheLabelsAsPropertiesAndStaysOneJsonObject(string line, string expected)
    {
        var joined = WorkerLineLabel.Join([line], Prefix, Json);

        joined.Should().Be(expected);
        System.Text.Json.JsonDocument.Parse(joined).RootElement.GetProperty("WorkerPid").GetInt32().Should().Be(4250);
    }

    [Theory]
    [InlineData("{not closed")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public void Join_ALineThatIsNotAJsonObject_GetsThePrefix(string line)
    {
        WorkerLineLabel.Join([line], Prefix, Json).Should().Be(Prefix + line);
    }
}
