using Defuss.Bench.Load.Scenarios;

namespace Defuss.Tests.Bench.Load.Scenarios;

public sealed class WrkScriptTests
{
    [Fact]
    public void For_Get_SetsTheRequestAndNoBody()
    {
        var lua = WrkScript.For(ScenarioCatalog.Find("get")!, bodyPath: null);

        lua.Should().Contain("wrk.method = \"GET\"\n").And.Contain("wrk.path = \"/\"\n");
        lua.Should().NotContain("wrk.body").And.NotContain("Connection");
    }

    [Fact]
    public void For_GetClose_AsksForANewConnectionPerRequest()
    {
        WrkScript.For(ScenarioCatalog.Find("get-close")!, null).Should().Contain("wrk.headers[\"Connection\"] = \"close\"\n");
    }

    [Fact]
    public void For_Post_ReadsTheBodyFromItsFileWithItsContentType()
    {
        var lua = WrkScript.For(ScenarioCatalog.Find("json-echo-large")!, "/tmp/defuss-bench-x/json-echo-large.body");

        lua.Should().Contain("wrk.method = \"POST\"\n").And.Contain("wrk.path = \"/json/echo\"\n");
        lua.Should().Contain("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
        lua.Should().Contain("io.open(\"/tmp/defuss-bench-x/json-echo-large.body\", \"rb\")").And.Contain("wrk.body = file:read(\"*a\")");
    }

    [Fact]
    public void For_Upload_SendsOctets()
    {
        WrkScript.For(ScenarioCatalog.Find("upload-64k")!, "/b").Should().Contain("\"application/octet-stream\"");
    }

    [Fact]
    public void For_Any_PrintsEveryFigureTheParserReads()
    {
        var lua = WrkScript.For(ScenarioCatalog.Find("get")!, null);

        lua.Should().Contain("done = function(summary, latency, requests)");
        lua.Should().Contain("\"defuss-bench: requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d p50_us=%d p99_us=%d\\n\"");
        lua.Should().Contain("latency:percentile(50)").And.Contain("latency:percentile(99)");
    }

    [Fact]
    public void For_BodyWithoutFileOrWebSocket_Throws()
    {
        ((Action)(() => WrkScript.For(ScenarioCatalog.Find("json-echo-small")!, null))).Should().Throw<ArgumentException>();
        ((Action)(() => WrkScript.For(ScenarioCatalog.Find("ws-echo")!, null))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Quote_EscapesWhatLuaWouldRead()
    {
        WrkScript.Quote("a\"b\\c\nd").Should().Be("\"a\\\"b\\\\c\\nd\"");
    }
}
