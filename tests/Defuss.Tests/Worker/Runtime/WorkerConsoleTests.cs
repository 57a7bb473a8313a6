using System.Text;
using Defuss.Worker.Runtime;

namespace Defuss.Tests.Worker.Runtime;

public sealed class WorkerConsoleTests
{
    [Fact]
    public void Over_AnEntryOfSeveralKilobytes_ReachesTheStreamInOneWrite()
    {
        var stream = new WriteRecorder();
        var console = WorkerConsole.Over(stream);
        var entry = "fail: Microsoft.AspNetCore.Server.Kestrel[13]\n" + string.Concat(Enumerable.Repeat("         at App.Handler() in /src/App.cs:line 9\n", 200));

        console.Write(entry);
        console.WriteLine("info: next");

        stream.Writes.Should().HaveCount(2, "each call is one write, however long, up to {0} characters", WorkerConsole.BufferChars);
        Encoding.UTF8.GetString(stream.Writes[0]).Should().Be(entry);
        Encoding.UTF8.GetString(stream.Writes[1]).Should().Be("info: next" + Environment.NewLine);
    }

    [Fact]
    public void Over_NonAsciiText_IsWrittenAsUtf8WithoutAPreamble()
    {
        var stream = new WriteRecorder();

        WorkerConsole.Over(stream).Write("größe → 1");

        stream.Writes.Should().ContainSingle().Which.Should().Equal(Encoding.UTF8.GetBytes("größe → 1"));
    }

    /// <summary>Keeps each write a writer makes, as the pipe would receive it.</summary>
    private sealed class WriteRecorder : Stream
    {
        public List<byte[]> Writes { get; } = [];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Writes.Add(buffer.AsSpan(offset, count).ToArray());

        public override void Write(ReadOnlySpan<byte> buffer) => Writes.Add(buffer.ToArray());

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
