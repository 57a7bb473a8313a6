using System.Text;

namespace Defuss.Processes;

/// <summary>
/// Turns the bytes a worker writes into lines of at most <see cref="MaxLineChars"/> characters: UTF-8 is decoded
/// (a character split across two reads is kept whole; invalid bytes become U+FFFD), a line ends at <c>\n</c> (a
/// <c>\r</c> before it is dropped), and a longer line is cut into pieces, each but the last ending with
/// <see cref="CutMarker"/> and each but the first starting with <see cref="ContinuationMarker"/>. A worker that writes
/// 100 MB without a newline so costs the primary one line's worth of memory, not 100 MB. One per stream; not thread-safe.
/// </summary>
internal sealed class OutputLineSplitter
{
    /// <summary>The most characters of a line kept together; longer lines are cut.</summary>
    public const int MaxLineChars = 4096;

    /// <summary>Ends a piece that a cut ended before its line did.</summary>
    public const string CutMarker = " [...]";

    /// <summary>Starts a piece that goes on from a cut.</summary>
    public const string ContinuationMarker = "[...] ";

    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private readonly char[] _line;
    private char[] _decoded = [];
    private int _length;
    private bool _continues;

    public OutputLineSplitter(int maxLineChars = MaxLineChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineChars, 2);
        _line = new char[maxLineChars];
    }

    /// <summary>Adds <paramref name="bytes"/>, appending every line they complete to <paramref name="lines"/>.</summary>
    public void Push(ReadOnlySpan<byte> bytes, List<string> lines)
    {
        var maxChars = _decoder.GetCharCount(bytes, flush: false);
        if (_decoded.Length < maxChars)
        {
            _decoded = new char[Math.Max(maxChars, 1024)];
        }

        var count = _decoder.GetChars(bytes, _decoded, flush: false);
        Append(_decoded.AsSpan(0, count), lines);
    }

    /// <summary>The stream ended: a last line without its newline is appended to <paramref name="lines"/>.</summary>
    public void Finish(List<string> lines)
    {
        Span<char> rest = stackalloc char[4];
        var count = _decoder.GetChars([], rest, flush: true);
        Append(rest[..count], lines);
        if (_length > 0)
        {
            Emit(lines, cut: false);
        }
    }

    private void Append(ReadOnlySpan<char> chars, List<string> lines)
    {
        while (!chars.IsEmpty)
        {
            var newline = chars.IndexOf('\n');
            var part = newline < 0 ? chars : chars[..newline];
            while (!part.IsEmpty)
            {
                var room = _line.Length - _length;
                if (room == 0)
                {
                    Emit(lines, cut: true);
                    continue;
                }

                var taken = Math.Min(room, part.Length);
                part[..taken].CopyTo(_line.AsSpan(_length));
                _length += taken;
                part = part[taken..];
            }

            if (newline < 0)
            {
                return;
            }

            if (_length > 0 && _line[_length - 1] == '\r')
            {
                _length--;
            }

            Emit(lines, cut: false);
            chars = chars[(newline + 1)..];
        }
    }

    private void Emit(List<string> lines, bool cut)
    {
        var text = _line.AsSpan(0, _length);
        lines.Add((_continues, cut) switch
        {
            (false, false) => new string(text),
            (true, false) => string.Concat(ContinuationMarker, text),
            (false, true) => string.Concat(text, CutMarker),
            (true, true) => string.Concat(ContinuationMarker, text, CutMarker),
        });
        _length = 0;
        _continues = cut;
    }
}
