namespace Defuss.Cli.Admin;

/// <summary>A request to a primary's admin API failed; the message names the socket or URL and says why.</summary>
internal sealed class AdminException : Exception
{
    public AdminException()
    {
    }

    public AdminException(string message)
        : base(message)
    {
    }

    public AdminException(string message, Exception? inner)
        : base(message, inner)
    {
    }

    public AdminException(string message, bool gone, Exception? inner = null)
        : base(message, inner)
    {
        Gone = gone;
    }

    /// <summary>
    /// Nothing listens there any more: a local socket refused the connection or its file is gone, or an open stream was
    /// cut. A stale socket of a primary that has ended looks like this.
    /// </summary>
    public bool Gone { get; }
}
