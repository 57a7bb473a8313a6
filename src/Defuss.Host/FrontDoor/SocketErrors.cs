using System.Net.Sockets;

namespace Defuss.FrontDoor;

/// <summary>
/// Tells, at the socket boundary, the errors that just mean a connection ended (a reset, an abort, our own close)
/// from the ones that mean something is wrong with Defuss. The first kind is a normal end and is never logged as an error.
/// </summary>
internal static class SocketErrors
{
    /// <summary>Whether <paramref name="exception"/> only says that the connection is over.</summary>
    public static bool IsConnectionEnd(Exception exception) => exception switch
    {
        SocketException socketException => IsConnectionEnd(socketException.SocketErrorCode),
        ObjectDisposedException => true,
        IOException { InnerException: SocketException inner } => IsConnectionEnd(inner.SocketErrorCode),
        _ => false,
    };

    /// <summary>Whether <paramref name="error"/> only says that the connection is over.</summary>
    public static bool IsConnectionEnd(SocketError error) => error is
        SocketError.ConnectionReset or
        SocketError.ConnectionAborted or
        SocketError.ConnectionRefused or
        SocketError.OperationAborted or
        SocketError.Interrupted or
        SocketError.Shutdown or
        SocketError.NotConnected or
        SocketError.Disconnecting or
        SocketError.NetworkReset or
        SocketError.NetworkDown or
        SocketError.NetworkUnreachable or
        SocketError.HostDown or
        SocketError.HostUnreachable or
        SocketError.TimedOut;
}
