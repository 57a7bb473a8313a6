using System.Globalization;
using System.Xml.Linq;
using Defuss.Bench.Load.Reports;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Bench.Load.Reports;

public sealed class SvgChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Write_IsWellFormedSvgWithABarPerResult()
    {
        var svg = XDocument.Parse(SvgChart.Write(BenchReports.Sample()));

        svg.Root!.Name.Should().Be(Svg + "svg");
        Bars(svg).Should().HaveCount(5);
        Bars(svg).Select(b => (string)b.Attribute("data-topology")!).Should().Equal("plain", "handoff", "nginx", "plain", "handoff");
        ((int)svg.Root.Attribute("height")!).Should().BeGreaterThan(Bars(svg).Max(b => (int)b.Attribute("y")! + 18));
    }

    [Fact]
    public void Write_ScalesEachScenarioToItsFastestTopology()
    {
        var bars = Bars(XDocument.Parse(SvgChart.Write(BenchReports.Sample()))).ToList();

        Width(bars[0]).Should().Be(SvgChart.BarAreaWidth, "plain is get's fastest");
        Width(bars[2]).Should().Be(SvgChart.BarAreaWidth / 2, "nginx does half of plain's rate");
        Width(bars[3]).Should().Be(SvgChart.BarAreaWidth, "each scenario has its own scale");
        Width(bars[4]).Should().Be(SvgChart.BarAreaWidth * 3 / 4);
    }

    [Fact]
    public void Write_LabelsEachBarWithItsRateRatioAndErrors_Escaped()
    {
        var svg = XDocument.Parse(SvgChart.Write(BenchReports.Sample()));
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToList();

        texts.Should().Contain("98,000 req/s · 0.98× plain");
        texts.Should().Contain("100,000 req/s", "plain is not compared with itself");
        texts.Should().Contain("4,000 req/s · 3 errors");
        texts.Should().Contain("get: GET / (\"hello\"), keep-alive", "quotes survive escaping");
    }

    [Fact]
    public void BarWidth_ZeroStillShows_AndNothingFastestIsOnePixel()
    {
        SvgChart.BarWidth(0, 1000).Should().Be(1);
        SvgChart.BarWidth(0, 0).Should().Be(1);
        SvgChart.BarWidth(250, 1000).Should().Be(SvgChart.BarAreaWidth / 4.0);
    }

    private static IEnumerable<XElement> Bars(XDocument svg) => svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "bar");

    private static double Width(XElement bar) => double.Parse((string)bar.Attribute("width")!, CultureInfo.InvariantCulture);
}
