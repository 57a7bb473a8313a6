using Defuss.Bench.Load.Drivers;

namespace Defuss.Tests.Bench.Load.Drivers;

public sealed class WrkOutputTests
{
    /// <summary>What wrk 4.1 prints with the generated script: its own summary, then the script's line.</summary>
    private const string Output = """
        Running 5s test @ http://127.0.0.1:41234/
          1 threads and 64 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     1.07ms    1.79ms  41.36ms   93.14%
            Req/Sec    61.23k     4.02k   66.79k    80.00%
          304645 requests in 5.00s, 40.39MB read
          Socket errors: connect 0, read 3, write 1, timeout 2
          Non-2xx or 3xx responses: 7
        Requests/sec:  60901.37
        Transfer/sec:      8.07MB
        defuss-bench: requests=304645 duration_us=5002271 bytes=42350157 connect=0 read=3 write=1 status=7 timeout=2 p50_us=612 p99_us=9874

        """;

    [Fact]
    public void Parse_ReadsTheScriptsLineExactly()
    {
        var sample = WrkOutput.Parse(Output);

        sample.Requests.Should().Be(304_645);
        sample.Seconds.Should().BeApproximately(5.002271, 1e-9);
        sample.RequestsPerSecond.Should().BeApproximately(304_645 / 5.002271, 1e-6);
        sample.P50Ms.Should().BeApproximately(0.612, 1e-9);
        sample.P99Ms.Should().BeApproximately(9.874, 1e-9);
        sample.Errors.Should().Be(new ErrorCounts(Connect: 0, Read: 3, Write: 1, Timeout: 2, Status: 7));
        sample.Errors.Total.Should().Be(13);
    }

    [Fact]
    public void Parse_NoResultLine_ThrowsQuotingTheOutput()
    {
        var act = () => WrkOutput.Parse("unable to connect to 127.0.0.1:1 Connection refused\n");

        act.Should().Throw<FormatException>().WithMessage("*defuss-bench:*Connection refused*");
    }

    [Fact]
    public void Parse_LineWithoutAFigure_NamesWhatIsMissing()
    {
        var act = () => WrkOutput.Parse("defuss-bench: requests=10 duration_us=1000000 bytes=1 connect=0 read=0 write=0 status=0 timeout=0 p50_us=5\n");

        act.Should().Throw<FormatException>().WithMessage("*lacks p99_us*");
    }
}
