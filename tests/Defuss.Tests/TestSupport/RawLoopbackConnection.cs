using System.Net;
using System.Net.Sockets;
using System.Text;
using Defuss.FrontDoor;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A loopback TCP connection whose accepted end is used as the handoff intake uses its own: by descriptor, with libc
/// calls only (it was accepted synchronously and never runs a .NET async operation).
/// </summary>
internal sealed class RawLoopbackConnection : IDisposable
{
    private RawLoopbackConnection(long id, Socket client, Socket accepted)
    {
        Client = client;
        Accepted = accepted;
        Fd = (int)accepted.Handle;
        Connection = new FrontDoorConnection(id, Fd, (IPEndPoint?)accepted.RemoteEndPoint);
    }

    /// <summary>The client's end; the test writes to it as a client would.</summary>
    public Socket Client { get; }

    /// <summary>The accepted end, which owns <see cref="Fd"/>: it closes on dispose.</summary>
    public Socket Accepted { get; }

    /// <summary>The accepted end's descriptor.</summary>
    public int Fd { get; }

    /// <summary>The connection as the front door holds it before a handoff.</summary>
    public FrontDoorConnection Connection { get; }

    public static async Task<RawLoopbackConnection> OpenAsync(long id = 1)
    {
        var (client, accepted) = await TestSockets.ConnectedRawPairAsync();
        return new RawLoopbackConnection(id, client, accepted);
    }

    /// <summary>A head to sniff on this connection, due <paramref name="inspection"/> from now on the system clock.</summary>
    public RawHead Head(int maxHeaderBytes, TimeSpan inspection) =>
        new(Connection, maxHeaderBytes, TimeProvider.System.GetTimestamp() + (long)(inspection.TotalSeconds * TimeProvider.System.TimestampFrequency));

    /// <summary>Sends as the client (small writes: the loopback takes them at once).</summary>
    public void Send(string text) => Send(Encoding.Latin1.GetBytes(text));

    public void Send(ReadOnlySpan<byte> bytes)
    {
        Client.SendTimeout = (int)TestTimeouts.Default.TotalMilliseconds;
        while (!bytes.IsEmpty)
        {
            bytes = bytes[Client.Send(bytes)..];
        }
    }

    /// <summary>Waits until the accepted end has something new to read (bytes or the client's end).</summary>
    public void WaitReadable()
    {
        if (!TestDescriptors.IsReadable(Fd, TestTimeouts.Default))
        {
            throw new TimeoutException("Nothing arrived on the accepted socket.");
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        Accepted.Dispose();
    }
}
