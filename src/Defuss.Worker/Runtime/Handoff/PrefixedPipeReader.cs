using System.Buffers;
using System.IO.Pipelines;

namespace Defuss.Worker.Runtime.Handoff;

/// <summary>
/// A connection's input that yields the bytes the primary read off the socket (the head, when it came in pieces)
/// before what the socket still holds. Once the consumer has consumed the prefix, every call goes straight to the
/// socket's reader.
/// </summary>
/// <remarks>
/// While part of the prefix is unconsumed and the consumer asks for more than it was shown, what the socket brings is
/// appended to the prefix buffer, so the consumer always sees one contiguous sequence.
/// </remarks>
internal sealed class PrefixedPipeReader : PipeReader
{
    private readonly PipeReader _inner;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _wantsMore;
    private bool _innerCompleted;

    public PrefixedPipeReader(ReadOnlyMemory<byte> prefix, PipeReader inner)
    {
        _inner = inner;
        if (!prefix.IsEmpty)
        {
            _buffer = prefix.ToArray();
            _end = _buffer.Length;
        }
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_buffer is null)
        {
            return await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_wantsMore && !_innerCompleted)
        {
            var result = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                _inner.AdvanceTo(result.Buffer.Start);
                return new ReadResult(Current(), isCanceled: true, isCompleted: false);
            }

            Append(result.Buffer);
            _inner.AdvanceTo(result.Buffer.End);
            _innerCompleted = result.IsCompleted;
        }

        _wantsMore = false;
        return new ReadResult(Current(), isCanceled: false, isCompleted: _innerCompleted);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (_buffer is null)
        {
            return _inner.TryRead(out result);
        }

        if (_wantsMore && !_innerCompleted)
        {
            if (!_inner.TryRead(out var more))
            {
                result = default;
                return false;
            }

            Append(more.Buffer);
            _inner.AdvanceTo(more.Buffer.End);
            _innerCompleted = more.IsCompleted;
        }

        _wantsMore = false;
        result = new ReadResult(Current(), isCanceled: false, isCompleted: _innerCompleted);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_buffer is null)
        {
            _inner.AdvanceTo(consumed, examined);
            return;
        }

        var shown = Current();
        var consumedBytes = (int)shown.Slice(shown.Start, consumed).Length;
        var examinedBytes = (int)shown.Slice(shown.Start, examined).Length;
        _wantsMore = examinedBytes == shown.Length;
        _start += consumedBytes;
        if (_start == _end && !_innerCompleted)
        {
            // The prefix is all consumed: from now on the socket's reader is read directly.
            _buffer = null;
            _wantsMore = false;
        }
    }

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    public override void Complete(Exception? exception = null)
    {
        _buffer = null;
        _inner.Complete(exception);
    }

    private ReadOnlySequence<byte> Current() => new(_buffer!, _start, _end - _start);

    private void Append(ReadOnlySequence<byte> more)
    {
        var length = (int)more.Length;
        if (length == 0)
        {
            return;
        }

        var pending = _end - _start;
        if (_buffer!.Length - _end < length)
        {
            var grown = new byte[Math.Max(pending + length, _buffer.Length * 2)];
            Buffer.BlockCopy(_buffer, _start, grown, 0, pending);
            (_buffer, _start, _end) = (grown, 0, pending);
        }

        more.CopyTo(_buffer.AsSpan(_end));
        _end += length;
    }
}
