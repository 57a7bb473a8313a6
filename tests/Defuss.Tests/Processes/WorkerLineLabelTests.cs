using Defuss.Processes;

namespace Defuss.Tests.Processes;

public sealed class WorkerLineLabelTests
{
    private static readonly string Prefix = WorkerLineLabel.Prefix(3, 4250);
    private static readonly string Json = WorkerLineLabel.JsonProperties(3, 4250);

    [Fact]
    public void LabelAll_PlainLines_PrefixesEachWithTheWorkerAndPid()
    {
        var labelled = WorkerLineLabel.LabelAll(["fail: App[0]", "      boom", "   at App.Run()"], Prefix, Json);

        labelled.Should().Equal("[w3 4250] fail: App[0]", "[w3 4250]       boom", "[w3 4250]    at App.Run()");
    }

    [Theory]
    [InlineData("{\"@t\":\"2026\",\"@m\":\"hi\"}", "{\"WorkerIndex\":3,\"WorkerPid\":4250,\"@t\":\"2026\",\"@m\":\"hi\"}")]
    [InlineData("{ \"a\": 1 }  ", "{\"WorkerIndex\":3,\"WorkerPid\":4250,\"a\": 1 }")]
    [InlineData("{}", "{\"WorkerIndex\":3,\"WorkerPid\":4250}")]
    public void LabelAll_AJsonObjectLine_GetsTheLabelsAsPropertiesAndStaysOneJsonObject(string line, string expected)
    {
        var joined = WorkerLineLabel.LabelAll([line], Prefix, Json).Should().ContainSingle().Subject;

        joined.Should().Be(expected);
        System.Text.Json.JsonDocument.Parse(joined).RootElement.GetProperty("WorkerPid").GetInt32().Should().Be(4250);
    }

    [Theory]
    [InlineData("{not closed")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public void LabelAll_ALineThatIsNotAJsonObject_GetsThePrefix(string line)
    {
        WorkerLineLabel.LabelAll([line], Prefix, Json).Should().Equal(Prefix + line);
    }
}
