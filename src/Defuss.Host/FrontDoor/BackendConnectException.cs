namespace Defuss.FrontDoor;

/// <summary>A backend could not be reached, and no byte of the connection reached it: it is safe to try another.</summary>
internal sealed class BackendConnectException : Exception
{
    public BackendConnectException()
        : this("unknown")
    {
    }

    public BackendConnectException(string reason)
        : this(reason, null)
    {
    }

    public BackendConnectException(string reason, Exception? innerException)
        : base("The backend could not be reached: " + reason, innerException)
    {
        Reason = reason;
    }

    /// <summary>Why, in a few words (<c>ConnectionRefused</c>, <c>timed out after 2000 ms</c>).</summary>
    public string Reason { get; }

    /// <summary>
    /// The primary itself lacked what the attempt needed (a descriptor, socket buffers), not the backend: the backend is
    /// not to blame (no ejection), and no other backend would fare better now.
    /// </summary>
    public bool PrimaryShortOfResources { get; init; }

    /// <summary>Whether <paramref name="error"/> says this process ran out of descriptors or socket buffers.</summary>
    public static bool IsLocalShortage(System.Net.Sockets.SocketError error) =>
        error is System.Net.Sockets.SocketError.TooManyOpenSockets or System.Net.Sockets.SocketError.NoBufferSpaceAvailable;
}
