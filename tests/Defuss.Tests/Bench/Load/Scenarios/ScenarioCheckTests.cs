using System.Security.Cryptography;
using System.Text;
using Defuss.Bench.Load.Scenarios;

namespace Defuss.Tests.Bench.Load.Scenarios;

public sealed class ScenarioCheckTests
{
    [Fact]
    public void Check_RightAnswers_PassEveryHttpScenario()
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(RequestBodies.Upload.Span));
        var transformed = """{"data":{"users":[{"id":1,"name":"USER 1"}]},"stats":{"names":100}}""";

        Check("get", "hello").Should().BeNull();
        Check("get-close", "hello").Should().BeNull();
        Check("json-generate", Encoding.UTF8.GetString(RequestBodies.JsonMedium.Span)).Should().BeNull();
        Check("json-echo-large", Encoding.UTF8.GetString(RequestBodies.JsonLarge.Span)).Should().BeNull();
        Check("json-transform", transformed).Should().BeNull();
        Check("upload-64k", $$"""{"received":65536,"sha256":"{{sha}}"}""").Should().BeNull();
    }

    [Fact]
    public void Check_WrongAnswers_SayWhatIsWrong()
    {
        Check("get", "hullo").Should().Contain("hullo");
        Check("json-echo-small", "{}").Should().Contain($"2 bytes that are not the {RequestBodies.JsonSmall.Length} sent");
        Check("json-generate", """{"users":[]}""").Should().Contain("other JSON");
        Check("json-transform", """{"data":{"users":[{"name":"user 1"}]},"stats":{"names":100}}""").Should().Contain("'user 1'");
        Check("json-transform", "[]").Should().Contain("no data and stats");
        Check("upload-64k", """{"received":1,"sha256":"00"}""").Should().Contain("reported 1 bytes");
    }

    private static string? Check(string scenario, string answer)
    {
        var chosen = ScenarioCatalog.Find(scenario)!;
        return ScenarioCheck.Check(chosen, RequestBodies.For(chosen.Body).Span, Encoding.UTF8.GetBytes(answer));
    }
}
