using System.Buffers;

namespace Defuss.Samples.Showcase.Endpoints;

/// <summary>A whole request body in one pooled array, for endpoints that must see all of it before they answer.</summary>
internal sealed class RequestBody : IDisposable
{
    private const int InitialBytes = 4096;

    private byte[] _buffer;
    private int _length;

    private RequestBody(byte[] buffer)
    {
        _buffer = buffer;
    }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    /// <summary>Reads the body to its end; Kestrel's request size limit (30 MB by default) bounds it.</summary>
    public static async Task<RequestBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var expected = request.ContentLength;
        var body = new RequestBody(ArrayPool<byte>.Shared.Rent(expected is > 0 and < int.MaxValue ? (int)expected.Value : InitialBytes));
        try
        {
            while (true)
            {
                // Kestrel never delivers more than the declared length, so reaching it is the end: no extra read.
                if (body._length == expected)
                {
                    return body;
                }

                if (body._length == body._buffer.Length)
                {
                    body.Grow();
                }

                var read = await request.Body.ReadAsync(body._buffer.AsMemory(body._length), cancellationToken);
                if (read == 0)
                {
                    return body;
                }

                body._length += read;
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(checked(_buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
