using System.Net;
using Defuss.Hosting;

namespace Defuss.Tests.Hosting;

public sealed class DefussPrimaryTests
{
    [Fact]
    public void FrontDoorOptionsFor_TakesTheFrontDoorSettingsFromTheOptions()
    {
        var options = new DefussOptions
        {
            RequestInspectionTimeout = TimeSpan.FromMilliseconds(25),
            MaxHeaderBytes = 4096,
            AllowHalfOpen = false,
            ConnectAttempts = 7,
        };
        var endpoint = new IPEndPoint(IPAddress.Loopback, 8080);

        var frontDoor = DefussPrimary.FrontDoorOptionsFor(options, endpoint);

        frontDoor.Endpoint.Should().Be(endpoint);
        frontDoor.RequestInspectionTimeout.Should().Be(TimeSpan.FromMilliseconds(25));
        frontDoor.MaxHeaderBytes.Should().Be(4096);
        frontDoor.AllowHalfOpen.Should().BeFalse();
        frontDoor.ConnectAttempts.Should().Be(7);
    }

    [Fact]
    public void FrontDoorOptionsFor_Defaults_TriesThreeBackends()
    {
        DefussPrimary.FrontDoorOptionsFor(new DefussOptions(), new IPEndPoint(IPAddress.Loopback, 0)).ConnectAttempts.Should().Be(3);
    }
}
