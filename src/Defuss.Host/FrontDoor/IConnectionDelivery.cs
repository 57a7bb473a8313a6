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
    /// <param name="client">The accepted connection.</param>
    /// <param name="prefix">The bytes the sniffer read off the socket, to be written first.</param>
    /// <param name="backend">The worker the router chose.</param>
    /// <param name="draining">Cancelled when the front door stops accepting: a connection whose worker has finished
    /// then closes instead of waiting for the client (an idle keep-alive client never closes by itself).</param>
    /// <param name="cancellationToken">Cancelled to abort the connection at once.</param>
    /// <exception cref="BackendConnectException">
    /// The backend could not be reached before any byte reached it; the client socket is untouched, so the caller
    /// may try another backend.
    /// </exception>
    Task DeliverAsync(Socket client, ReadOnlyMemory<byte> prefix, BackendCandidate backend, CancellationToken draining, CancellationToken cancellationToken);
}
