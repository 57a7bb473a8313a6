using System.Net;
using System.Net.Sockets;

namespace Defuss.Bench.Load.Processes;

/// <summary>Loopback ports nobody listens on: each one bound with port 0 (the kernel picks), read, and released.</summary>
internal static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    /// <summary>A port the kernel just gave out and the bench has not handed out before.</summary>
    public static int Next()
    {
        lock (Given)
        {
            while (true)
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var port = ((IPEndPoint)probe.LocalEndPoint!).Port;
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
