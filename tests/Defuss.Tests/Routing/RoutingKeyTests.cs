using Defuss.Actors.Routing;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Routing;

public sealed class RoutingKeyTests
{
    [Theory]
    [InlineData("client-address")]
    [InlineData("Client-Address")]
    [InlineData("header:X-Session-Id")]
    [InlineData("cookie:session")]
    public void TryParse_KnownForms_Succeeds(string spec) => RoutingKey.TryParse(spec, out _).Should().BeTrue();

    [Theory]
    [InlineData("")]
    [InlineData("header:")]
    [InlineData("query:id")]
    [InlineData(null)]
    public void TryParse_OtherText_Fails(string? spec) => RoutingKey.TryParse(spec, out _).Should().BeFalse();

    [Fact]
    public void From_MissingCookie_IsNull()
    {
        RoutingKey.TryParse("cookie:session", out var key).Should().BeTrue();

        key!.From(Routers.Http("Cookie", "theme=dark")).Should().BeNull();
        key.From(Routers.Http()).Should().BeNull();
    }
}
