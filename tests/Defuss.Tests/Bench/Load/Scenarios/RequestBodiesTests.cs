using System.Text;
using System.Text.Json;
using Defuss.Bench.Load.Scenarios;

namespace Defuss.Tests.Bench.Load.Scenarios;

public sealed class RequestBodiesTests
{
    [Fact]
    public void JsonSmall_IsTheShowcasesSmallDocument()
    {
        Encoding.UTF8.GetString(RequestBodies.JsonSmall.Span).Should().Be("""{"id":1,"name":"defuss","active":true}""");
    }

    [Fact]
    public void JsonMedium_HasAHundredUsersShapedAsTheShowcasesAre()
    {
        using var document = JsonDocument.Parse(RequestBodies.JsonMedium);
        var users = document.RootElement.GetProperty("users");

        users.GetArrayLength().Should().Be(100);
        users[2].GetRawText().Should().Be("""{"id":3,"name":"user 3","email":"user3@example.com","active":false,"tags":["trial","admin"]}""");
        RequestBodies.JsonMedium.Length.Should().BeInRange(8 * 1024, 12 * 1024);
    }

    [Fact]
    public void JsonLarge_HasFiveHundredRecordsWithBase64Data()
    {
        using var document = JsonDocument.Parse(RequestBodies.JsonLarge);
        var records = document.RootElement.GetProperty("records");

        records.GetArrayLength().Should().Be(500);
        records[1].GetProperty("value").GetRawText().Should().Be("3", "2 * 1.5 is written as the Showcase writes it");
        records[0].GetProperty("data").GetBytesFromBase64().Should().HaveCount(64).And.StartWith(new byte[] { 31, 32 });
        RequestBodies.JsonLarge.Length.Should().BeGreaterThan(64 * 1024);
    }

    [Fact]
    public void Upload_Is64KiB()
    {
        RequestBodies.Upload.Length.Should().Be(64 * 1024);
        RequestBodies.For(RequestBody.Upload64K).Length.Should().Be(64 * 1024);
        RequestBodies.For(RequestBody.None).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Catalogue_DescribesEachBodyByItsRealSize()
    {
        ScenarioCatalog.Find("json-echo-small")!.Request.Should().Be($"POST /json/echo, {RequestBodies.JsonSmall.Length} B of JSON");
        ScenarioCatalog.Find("upload-64k")!.Request.Should().Contain("64 KiB");
        ScenarioCatalog.All.Select(s => s.Name).Should().OnlyHaveUniqueItems();
    }
}
