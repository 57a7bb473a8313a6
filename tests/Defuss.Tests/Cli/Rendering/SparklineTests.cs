extern alias cli;

using cli::Defuss.Cli.Rendering;

namespace Defuss.Tests.Cli.Rendering;

public sealed class SparklineTests
{
    [Fact]
    public void Render_FewerValuesThanWidth_AlignsThemRight()
    {
        Sparkline.Render([0, 50, 100], max: 100, width: 5).Should().Be("  ▁▅█");
    }

    [Fact]
    public void Render_MoreValuesThanWidth_KeepsEachBucketsPeak()
    {
        Sparkline.Render([0, 100, 0, 0, 0, 0], max: 100, width: 3).Should().Be("█▁▁");
    }

    [Fact]
    public void Render_NoUnicode_UsesAscii()
    {
        Sparkline.Render([0, 100], max: 100, width: 2, unicode: false).Should().Be("_#");
    }

    [Fact]
    public void Render_ZeroMax_DrawsTheFloor()
    {
        Sparkline.Render([0, 0], max: 0, width: 2).Should().Be("▁▁");
    }
}
