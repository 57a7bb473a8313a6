using System.Text;
using Defuss.Processes;

namespace Defuss.Tests.Processes;

public sealed class OutputLineSplitterTests
{
    private static List<string> Split(OutputLineSplitter splitter, params string[] chunks)
    {
        var lines = new List<string>();
        foreach (var chunk in chunks)
        {
            splitter.Push(Encoding.UTF8.GetBytes(chunk), lines);
        }

        return lines;
    }

    [Fact]
    public void Push_LinesAcrossChunks_AreWholeAndWithoutTheirLineEnds()
    {
        var splitter = new OutputLineSplitter();

        var lines = Split(splitter, "first\nsec", "ond\r\nthi", "rd\n\n");

        lines.Should().Equal("first", "second", "third", "");
    }

    [Fact]
    public void Finish_ALastLineWithoutNewline_IsKept()
    {
        var splitter = new OutputLineSplitter();
        var lines = Split(splitter, "done\nno newline");

        splitter.Finish(lines);

        lines.Should().Equal("done", "no newline");
    }

    [Fact]
    public void Push_ACharacterSplitAcrossTwoReads_StaysWhole()
    {
        var splitter = new OutputLineSplitter();
        var bytes = Encoding.UTF8.GetBytes("größe €\n");
        var lines = new List<string>();

        for (var i = 0; i < bytes.Length; i++)
        {
            splitter.Push(bytes.AsSpan(i, 1), lines);
        }

        lines.Should().Equal("größe €");
    }

    [Fact]
    public void Push_InvalidUtf8_BecomesReplacementCharacters()
    {
        var splitter = new OutputLineSplitter();
        var lines = new List<string>();

        splitter.Push(new byte[] { (byte)'a', 0xff, 0xfe, (byte)'b', (byte)'\n' }, lines);

        lines.Should().Equal("a\uFFFD\uFFFDb");
    }

    [Fact]
    public void Push_ALineLongerThanTheLimit_IsCutIntoMarkedPieces()
    {
        var splitter = new OutputLineSplitter(maxLineChars: 4);

        var lines = Split(splitter, "abcdefghij\nok\n");

        lines.Should().Equal(
            "abcd" + OutputLineSplitter.CutMarker,
            OutputLineSplitter.ContinuationMarker + "efgh" + OutputLineSplitter.CutMarker,
            OutputLineSplitter.ContinuationMarker + "ij",
            "ok");
    }

    [Fact]
    public void Push_ALineOfExactlyTheLimit_IsNotCut()
    {
        var splitter = new OutputLineSplitter(maxLineChars: 4);

        Split(splitter, "abcd\n").Should().Equal("abcd");
    }

    [Fact]
    public void Push_100MegabytesWithoutNewline_HoldsOneLineAtATime()
    {
        var splitter = new OutputLineSplitter();
        var chunk = Encoding.UTF8.GetBytes(new string('x', 16 * 1024));
        var lines = new List<string>();
        long pieces = 0;
        var longest = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();

        // No assertion inside the loop: an assertion library's own allocations (an expression compiled per call) would
        // count against the budget below, and vary with the machine's load.
        for (var i = 0; i < 100 * 64; i++)
        {
            splitter.Push(chunk, lines);
            pieces += lines.Count;
            foreach (var line in lines)
            {
                longest = Math.Max(longest, line.Length);
            }

            lines.Clear();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        longest.Should().BeLessThanOrEqualTo(OutputLineSplitter.MaxLineChars + OutputLineSplitter.CutMarker.Length + OutputLineSplitter.ContinuationMarker.Length);
        splitter.Finish(lines);
        (pieces + lines.Count).Should().Be(100L * 1024 * 1024 / OutputLineSplitter.MaxLineChars);
        lines.Single().Should().StartWith(OutputLineSplitter.ContinuationMarker).And.NotEndWith(OutputLineSplitter.CutMarker);
        allocated.Should().BeLessThan(250L * 1024 * 1024, "only the pieces themselves are allocated, each once");
    }
}
