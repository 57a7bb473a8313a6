using Defuss.Processes;

namespace Defuss.Tests.Processes;

public sealed class UnixSignalsTests
{
    [Theory]
    [InlineData(129, "SIGHUP")]
    [InlineData(130, "SIGINT")]
    [InlineData(131, "SIGQUIT")]
    [InlineData(134, "SIGABRT")]
    [InlineData(137, "SIGKILL")]
    [InlineData(139, "SIGSEGV")]
    [InlineData(143, "SIGTERM")]
    [InlineData(0, null)]
    [InlineData(1, null)]
    [InlineData(128, null)]
    [InlineData(255, null)]
    [InlineData(-1, null)]
    public void NameFromExitCode_MapsSignalExitCodes(int exitCode, string? signal)
    {
        UnixSignals.NameFromExitCode(exitCode).Should().Be(signal);
    }
}
