using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Runtime.Handoff;

namespace Defuss.Tests.Worker.Runtime.Handoff;

public sealed class PrefixedPipeReaderTests
{
    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Text(ReadOnlySequence<byte> buffer) => Encoding.ASCII.GetString(buffer.ToArray());

    private static Task<ReadResult> ReadAsync(PipeReader reader) => reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Default);

    private static async Task WriteAsync(PipeWriter writer, string text) =>
        await writer.WriteAsync(Bytes(text)).AsTask().WaitAsync(TestTimeouts.Default);

    private static (Pipe Pipe, PrefixedPipeReader Reader) Create(string prefix)
    {
        var pipe = new Pipe();
        return (pipe, new PrefixedPipeReader(Bytes(prefix), pipe.Reader));
    }

    [Fact]
    public async Task ReadAsync_PrefixAndInnerData_YieldsThePrefixFirstThenTheInnerBytes()
    {
        var (pipe, reader) = Create("GET / HTTP/1.1\r\n");
        await WriteAsync(pipe.Writer, "Host: a\r\n\r\n");

        var first = await ReadAsync(reader);
        Text(first.Buffer).Should().Be("GET / HTTP/1.1\r\n", "the prefix comes alone, before the socket's bytes");
        first.IsCompleted.Should().BeFalse();
        reader.AdvanceTo(first.Buffer.End);

        var second = await ReadAsync(reader);
        Text(second.Buffer).Should().Be("Host: a\r\n\r\n");
        reader.AdvanceTo(second.Buffer.End);
    }

    [Fact]
    public async Task ReadAsync_ConsumerExaminedAllConsumedNothing_GetsPrefixAndMoreInOneContiguousSequence()
    {
        var (pipe, reader) = Create("GET / HT");
        var first = await ReadAsync(reader);
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);

        var more = reader.ReadAsync().AsTask();
        more.IsCompleted.Should().BeFalse("the consumer has seen everything and waits for the socket");
        await WriteAsync(pipe.Writer, "TP/1.1\r\n\r\n");
        var second = await more.WaitAsync(TestTimeouts.Default);

        Text(second.Buffer).Should().Be("GET / HTTP/1.1\r\n\r\n");
        second.Buffer.IsSingleSegment.Should().BeTrue();
        reader.AdvanceTo(second.Buffer.End);
    }

    [Fact]
    public async Task ReadAsync_ConsumerConsumedPartExaminedAll_GetsTheRestOfThePrefixAndMore()
    {
        var (pipe, reader) = Create("abcdef");
        var first = await ReadAsync(reader);
        reader.AdvanceTo(first.Buffer.GetPosition(2), first.Buffer.End);
        await WriteAsync(pipe.Writer, new string('g', 10_000));

        var second = await ReadAsync(reader);

        Text(second.Buffer).Should().Be("cdef" + new string('g', 10_000));
        second.Buffer.IsSingleSegment.Should().BeTrue();
        reader.AdvanceTo(second.Buffer.End);
    }

    [Fact]
    public async Task ReadAsync_ConsumerExaminedPart_ReturnsThePrefixAgainWithoutWaiting()
    {
        var (_, reader) = Create("abcdef");
        var first = await ReadAsync(reader);
        reader.AdvanceTo(first.Buffer.GetPosition(1), first.Buffer.GetPosition(3));

        var again = reader.ReadAsync();

        again.IsCompleted.Should().BeTrue("unexamined bytes are there to read, whatever the socket holds");
        var second = await again.AsTask().WaitAsync(TestTimeouts.Default);
        Text(second.Buffer).Should().Be("bcdef");
        reader.AdvanceTo(second.Buffer.End);
    }

    [Fact]
    public async Task ReadAsync_PrefixConsumed_ReadsTheInnerReaderWithItsOwnSemantics()
    {
        var (pipe, reader) = Create("abc");
        var first = await ReadAsync(reader);
        reader.AdvanceTo(first.Buffer.End);
        await WriteAsync(pipe.Writer, "xyz");

        var second = await ReadAsync(reader);
        Text(second.Buffer).Should().Be("xyz");
        reader.AdvanceTo(second.Buffer.Start, second.Buffer.End);

        var third = reader.ReadAsync().AsTask();
        third.IsCompleted.Should().BeFalse("the inner pipe waits for bytes beyond what was examined");
        await WriteAsync(pipe.Writer, "!");
        var grown = await third.WaitAsync(TestTimeouts.Default);
        Text(grown.Buffer).Should().Be("xyz!");
        reader.AdvanceTo(grown.Buffer.End);
    }

    [Fact]
    public async Task ReadAsync_EmptyPrefix_DelegatesToTheInnerReaderAtOnce()
    {
        var pipe = new Pipe();
        var reader = new PrefixedPipeReader(ReadOnlyMemory<byte>.Empty, pipe.Reader);

        var read = reader.ReadAsync().AsTask();
        read.IsCompleted.Should().BeFalse("there is no prefix to yield");
        await WriteAsync(pipe.Writer, "inner");
        var result = await read.WaitAsync(TestTimeouts.Default);

        Text(result.Buffer).Should().Be("inner");
        reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        reader.TryRead(out _).Should().BeFalse("the inner pipe's examined rule applies");
    }

    [Fact]
    public async Task ReadAsync_InnerCompletedWhilePrefixUnread_ReportsCompletionOnceThePrefixIsAllExamined()
    {
        var (pipe, reader) = Create("GET /");
        await pipe.Writer.CompleteAsync();

        var first = await ReadAsync(reader);
        Text(first.Buffer).Should().Be("GET /");
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);
        var second = await ReadAsync(reader);

        Text(second.Buffer).Should().Be("GET /");
        second.IsCompleted.Should().BeTrue();
        reader.AdvanceTo(second.Buffer.End);
        var third = await ReadAsync(reader);
        third.Buffer.IsEmpty.Should().BeTrue();
        third.IsCompleted.Should().BeTrue("the end stays reported after the prefix is consumed");
    }

    [Fact]
    public async Task ReadAsync_InnerCompletedAfterThePrefixWasConsumed_ReportsCompletion()
    {
        var (pipe, reader) = Create("abc");
        var first = await ReadAsync(reader);
        reader.AdvanceTo(first.Buffer.End);
        await WriteAsync(pipe.Writer, "de");
        await pipe.Writer.CompleteAsync();

        var second = await ReadAsync(reader);

        Text(second.Buffer).Should().Be("de");
        second.IsCompleted.Should().BeTrue();
        reader.AdvanceTo(second.Buffer.End);
    }

    [Fact]
    public async Task ReadAsync_InnerFailedWhileTheConsumerWantsMore_Throws()
    {
        var (pipe, reader) = Create("abc");
        var first = await ReadAsync(reader);
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);
        await pipe.Writer.CompleteAsync(new IOException("reset"));

        var read = () => ReadAsync(reader);

        await read.Should().ThrowAsync<IOException>().WithMessage("reset");
    }

    [Fact]
    public async Task TryRead_PrefixThenInner_BehavesAsReadAsync()
    {
        var (pipe, reader) = Create("abc");

        reader.TryRead(out var first).Should().BeTrue("the prefix is there at once");
        Text(first.Buffer).Should().Be("abc");
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);
        reader.TryRead(out _).Should().BeFalse("everything was examined and the socket has nothing more");

        await WriteAsync(pipe.Writer, "de");
        reader.TryRead(out var second).Should().BeTrue();
        Text(second.Buffer).Should().Be("abcde");
        reader.AdvanceTo(second.Buffer.End);

        reader.TryRead(out _).Should().BeFalse("the prefix is gone and the inner pipe is empty");
        await WriteAsync(pipe.Writer, "f");
        reader.TryRead(out var third).Should().BeTrue();
        Text(third.Buffer).Should().Be("f");
        reader.AdvanceTo(third.Buffer.End);
    }

    [Fact]
    public async Task CancelPendingRead_AfterThePrefix_CancelsTheInnerRead()
    {
        var (_, reader) = Create("abc");
        var first = await ReadAsync(reader);
        reader.AdvanceTo(first.Buffer.End);

        var pending = reader.ReadAsync().AsTask();
        pending.IsCompleted.Should().BeFalse();
        reader.CancelPendingRead();
        var result = await pending.WaitAsync(TestTimeouts.Default);

        result.IsCanceled.Should().BeTrue();
        reader.AdvanceTo(result.Buffer.Start);
    }

    [Fact]
    public async Task CancelPendingRead_WhileWaitingForMoreThanThePrefix_CancelsAndKeepsThePrefix()
    {
        var (pipe, reader) = Create("abc");
        var first = await ReadAsync(reader);
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);

        var pending = reader.ReadAsync().AsTask();
        pending.IsCompleted.Should().BeFalse();
        reader.CancelPendingRead();
        var canceled = await pending.WaitAsync(TestTimeouts.Default);

        canceled.IsCanceled.Should().BeTrue();
        Text(canceled.Buffer).Should().Be("abc");
        reader.AdvanceTo(canceled.Buffer.Start, canceled.Buffer.End);
        await WriteAsync(pipe.Writer, "de");
        var after = await ReadAsync(reader);
        after.IsCanceled.Should().BeFalse();
        Text(after.Buffer).Should().Be("abcde");
        reader.AdvanceTo(after.Buffer.End);
    }

    [Fact]
    public async Task Complete_CompletesTheInnerReader()
    {
        var (pipe, reader) = Create("abc");

        await reader.CompleteAsync();
        var flush = await pipe.Writer.WriteAsync(Bytes("late")).AsTask().WaitAsync(TestTimeouts.Default);

        flush.IsCompleted.Should().BeTrue("the writer learns that no one reads any more");
    }

    [Fact]
    public async Task ReadAsync_HeadParseLoop_FindsTheHeadWhereverThePrefixEndsAndTheInnerBytesTrickle()
    {
        var request = Bytes("GET /split HTTP/1.1\r\nHost: split.example\r\n\r\nbody!");
        const string ExpectedHead = "GET /split HTTP/1.1\r\nHost: split.example\r\n\r\n";
        for (var split = 0; split <= request.Length; split++)
        {
            var pipe = new Pipe();
            var reader = new PrefixedPipeReader(request.AsMemory(0, split), pipe.Reader);
            var written = split;

            async Task WriteNextByteAsync()
            {
                written.Should().BeLessThan(request.Length, $"split at {split}: the parser asked for more than the request");
                await pipe.Writer.WriteAsync(request.AsMemory(written++, 1)).AsTask().WaitAsync(TestTimeouts.Default);
            }

            if (split == 0)
            {
                await WriteNextByteAsync();
            }

            string? head = null;
            while (head is null)
            {
                var result = await ReadAsync(reader);
                if (TryFindHeadEnd(result.Buffer, out var end))
                {
                    head = Text(result.Buffer.Slice(0, end));
                    reader.AdvanceTo(end);
                }
                else
                {
                    reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                    await WriteNextByteAsync();
                }
            }

            // What the head did not need is written now; the body follows the head, byte for byte.
            await pipe.Writer.WriteAsync(request.AsMemory(written)).AsTask().WaitAsync(TestTimeouts.Default);
            await pipe.Writer.CompleteAsync();
            var body = new List<byte>();
            while (true)
            {
                var result = await ReadAsync(reader);
                body.AddRange(result.Buffer.ToArray());
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await reader.CompleteAsync();
            head.Should().Be(ExpectedHead, $"split at {split}");
            Encoding.ASCII.GetString([.. body]).Should().Be("body!", $"split at {split}");
        }
    }

    private static bool TryFindHeadEnd(ReadOnlySequence<byte> buffer, out SequencePosition end)
    {
        var index = buffer.ToArray().AsSpan().IndexOf("\r\n\r\n"u8);
        end = index < 0 ? buffer.End : buffer.GetPosition(index + 4);
        return index >= 0;
    }
}
