extern alias cli;

using cli::Defuss.Cli.Rendering;
using Spectre.Console;

namespace Defuss.Tests.Cli.Rendering;

public sealed class PaletteTests
{
    public static TheoryData<string, Color> States => new()
    {
        { "Ready", Color.Green },
        { "Starting", Color.Yellow },
        { "Restarting", Color.Yellow },
        { "Stale", Color.Orange1 },
        { "Draining", Color.Orange1 },
        { "Exited", Color.Red },
        { "GivenUp", Color.Red },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void State_EachState_HasItsColour(string state, Color expected)
    {
        Palette.State(state).Foreground.Should().Be(expected);
    }

    [Fact]
    public void Worker_AnyIndex_IsNeverTheStderrRed()
    {
        Enumerable.Range(0, 64).Select(i => Palette.Worker(i).Foreground).Should().NotContain(Color.Red);
    }
}
