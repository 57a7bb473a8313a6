using Defuss.Hosting;

namespace Defuss.Tests.Hosting;

public sealed class DefussOptionsValidatorAdminTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9464")]
    [InlineData("http://localhost:0")]
    [InlineData("http://[::1]:9464")]
    [InlineData("http://0.0.0.0:9464")]
    [InlineData("http://*:9464")]
    [InlineData("http://127.0.0.1:80")]
    public void Validate_AdminUrl_AcceptsAnHttpUrlWithAnAddressAndAPort(string url)
    {
        DefussOptionsValidator.Validate(new DefussOptions { AdminUrl = url }).Should().BeEmpty();
    }

    [Theory]
    [InlineData("https://127.0.0.1:9464")]
    [InlineData("http://admin.example:9464")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.1:9464/admin")]
    [InlineData("127.0.0.1:9464")]
    [InlineData("http://127.0.0.1:99999")]
    public void Validate_AdminUrl_RefusesWhatItCannotListenOnAndNamesIt(string url)
    {
        DefussOptionsValidator.Validate(new DefussOptions { AdminUrl = url })
            .Should().ContainSingle().Which.Should().StartWith($"Defuss:AdminUrl = '{url}' is invalid: expected an http URL");
    }

    [Theory]
    [InlineData("short")]
    [InlineData("a token with spaces in it")]
    [InlineData("")]
    public void Validate_AdminToken_TooShortOrWithWhitespace_IsAnErrorThatDoesNotPrintIt(string token)
    {
        var error = DefussOptionsValidator.Validate(new DefussOptions { AdminToken = token }).Should().ContainSingle().Subject;

        error.Should().StartWith("Defuss:AdminToken = '(hidden)' is invalid");
        if (token.Length > 0)
        {
            error.Should().NotContain(token);
        }
    }

    [Theory]
    [InlineData(-1, "2")]
    [InlineData(3, "2")]
    public void Validate_MinReadyWorkers_OutsideTheWorkerCount_NamesBoth(int minReady, string workers)
    {
        DefussOptionsValidator.Validate(new DefussOptions { MinReadyWorkers = minReady, Workers = workers })
            .Should().ContainSingle().Which.Should().Be($"Defuss:MinReadyWorkers = '{minReady}' is invalid: expected from 0 to the number of workers (2).");
    }
}
