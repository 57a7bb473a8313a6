using System.Globalization;
using System.IO.Pipes;
using System.Text;
using System.Threading.Channels;
using Defuss.Processes;
using static Defuss.Tests.TestSupport.ShellWorkers;

namespace Defuss.Tests.Processes;

/// <summary>
/// How the primary cuts a worker's stream into the pieces it echoes, read from a real pipe as a worker's output is: all
/// that waits in the pipe goes out as one piece, however many reads it takes, and nothing read waits for more.
/// </summary>
public sealed class OutputPiecesTests
{
    /// <summary>One multi-line log entry of about <paramref name="chars"/> characters, as .NET's console formatter writes an exception.</summary>
    private static string Entry(string name, int chars)
    {
        var entry = new StringBuilder($"fail: {name}\n");
        for (var frame = 0; entry.Length < chars; frame++)
        {
            entry.Append(CultureInfo.InvariantCulture, $"         at {name}.Frame{frame}() in /src/{name}.cs:line {frame}\n");
        }

        return entry.ToString();
    }

    [Fact]
    public async Task AnEntryLongerThanOneRead_WaitingInThePipe_IsDeliveredAsOnePiece()
    {
        using var pipe = new Pipe();
        var entry = Entry("Checkout", 40 * 1024);
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(entry));

        var first = await pipe.Pieces.Reader.ReadAsync().AsTask().WaitAsync(WaitLimit);

        first.Should().Equal(entry.TrimEnd('\n').Split('\n'), "the entry took three reads of 16 KiB, and all of it was waiting");
        pipe.Writer.Dispose();
        (await pipe.Finished.WaitAsync(WaitLimit)).Should().BeEmpty("nothing came after it");
    }

    [Fact]
    public async Task ALineRead_WhenNothingMoreWaits_IsDeliveredWithoutWaitingForMore()
    {
        using var pipe = new Pipe();

        await pipe.Writer.WriteAsync("info: started\n"u8.ToArray());
        var first = await pipe.Pieces.Reader.ReadAsync().AsTask().WaitAsync(WaitLimit);
        await pipe.Writer.WriteAsync("info: serving\n"u8.ToArray());
        var second = await pipe.Pieces.Reader.ReadAsync().AsTask().WaitAsync(WaitLimit);

        first.Should().Equal("info: started");
        second.Should().Equal("info: serving");
    }

    [Fact]
    public async Task MoreThanAPieceWaiting_IsDeliveredInBoundedPieces_WithEveryLineInOrder()
    {
        using var pipe = new Pipe();
        var lines = Enumerable.Range(0, 4000).Select(i => $"line {i:D5} {new string('x', 40)}").ToArray();
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");

        // More than the pipe holds: the writer blocks until the reader makes room, so the reader never finds it empty.
        await pipe.Writer.WriteAsync(bytes).AsTask().WaitAsync(WaitLimit);
        pipe.Writer.Dispose();
        var pieces = await pipe.Finished.WaitAsync(WaitLimit);

        pieces.SelectMany(p => p).Should().Equal(lines);
        pieces.Should().HaveCountGreaterThan(1, "{0} bytes is more than one piece may hold", bytes.Length)
            .And.OnlyContain(p => p.Sum(l => l.Length + 1) <= OutputPieces.PieceBytes + OutputPieces.ReadBytes);
    }

    /// <summary>A real pipe, the primary's reader on one end, and the pieces it delivers.</summary>
    private sealed class Pipe : IDisposable
    {
        private readonly AnonymousPipeClientStream _reader;
        private readonly List<string[]> _rest = [];

        public Pipe()
        {
            Writer = new AnonymousPipeServerStream(PipeDirection.Out);
            _reader = new AnonymousPipeClientStream(PipeDirection.In, Writer.ClientSafePipeHandle);
            var reading = OutputPieces.ReadAsync(_reader, lines =>
            {
                if (lines.Count > 0)
                {
                    Pieces.Writer.TryWrite([.. lines]);
                    lines.Clear();
                }
            });
            Finished = FinishAsync(reading);
        }

        public AnonymousPipeServerStream Writer { get; }

        public Channel<string[]> Pieces { get; } = Channel.CreateUnbounded<string[]>();

        /// <summary>Every piece not taken from <see cref="Pieces"/>, once the stream has ended.</summary>
        public Task<List<string[]>> Finished { get; }

        public void Dispose()
        {
            Writer.Dispose();
            _reader.Dispose();
        }

        private async Task<List<string[]>> FinishAsync(Task reading)
        {
            await reading.ConfigureAwait(false);
            Pieces.Writer.Complete();
            await foreach (var piece in Pieces.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                _rest.Add(piece);
            }

            return _rest;
        }
    }
}
