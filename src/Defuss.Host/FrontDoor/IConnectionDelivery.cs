using System.Net.Sockets;
using Defuss.Actors.Routing;

namespace Defuss.FrontDoor;

/// <summary>
/// How an accepted connection reaches its worker: proxied through the primary (<see cref="ProxyDelivery"/>), or,
/// later, handed to the worker itself.
/// </summary>
internal interface IConnectionDelivery
{
    /// <summary>
    /// Delivers <paramref name="client"/> to <paramref name="backend"/>, writing <paramref name="prefix"/> (the bytes
    /// the sniffer read off the socket) before anything else. The task is the connection's lifetime: it completes
    /// when the connection is over and the client socket is closed.
    /// </summary>
    /// <exception cref="BackendConnectException">
    /// The backend could not be reached before any byte reached it; the client socket is untouched, so the caller
    /// may try another backend.
    /// </exception>
    Task DeliverAsync(Socket client, ReadOnlyMemory<byte> prefix, BackendCandidate backend, CancellationToken cancellationToken);
}
