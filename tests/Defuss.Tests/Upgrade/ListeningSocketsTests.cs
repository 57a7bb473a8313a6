using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Defuss.Tests.TestSupport;
using Defuss.Upgrade;
using Defuss.Worker.Interop;

namespace Defuss.Tests.Upgrade;

public sealed class ListeningSocketsTests
{
    private static readonly string Self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(null, null)]
    [InlineData("1", null)]
    [InlineData("1", "1")]
    public void FromSystemd_NoSocketsForThisProcess_IsNull(string? count, string? pid)
    {
        var variables = new Dictionary<string, string?> { ["LISTEN_FDS"] = count, ["LISTEN_PID"] = pid };

        ListeningSockets.FromSystemd(variables.GetValueOrDefault).Should().BeNull("systemd's sockets are for the process LISTEN_PID names");
    }

    [Theory]
    [InlineData("zero")]
    [InlineData("0")]
    [InlineData("65")]
    public void FromSystemd_ACountOutOfRange_NamesIt(string count)
    {
        var variables = new Dictionary<string, string?> { ["LISTEN_FDS"] = count, ["LISTEN_PID"] = Self };

        var take = () => ListeningSockets.FromSystemd(variables.GetValueOrDefault);

        take.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain($"LISTEN_FDS is '{count}'");
    }

    [Fact]
    public void Adopt_AListeningTcpSocket_TakesItCloseOnExec()
    {
        using var original = TestSockets.Listening();
        var copy = Copy(original);

        using var adopted = ListeningSockets.Adopt(copy, "test socket");

        ListeningSockets.EndpointOf(adopted).Should().Be(original.LocalEndPoint);
        (LinuxSockets.Fcntl(copy, GetDescriptorFlags, 0) & LinuxSockets.FdCloexec).Should().Be(LinuxSockets.FdCloexec, "no worker inherits it");
    }

    [Fact]
    public void Adopt_ATcpSocketThatDoesNotListen_IsRefusedAndLeftOpen()
    {
        using var bound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var copy = Copy(bound);
        try
        {
            var adopt = () => ListeningSockets.Adopt(copy, "LISTEN_FDS descriptor 3");

            adopt.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("LISTEN_FDS descriptor 3").And.Contain("does not listen");
            LinuxSockets.Fcntl(copy, GetDescriptorFlags, 0).Should().BeGreaterThanOrEqualTo(0, "a descriptor it refuses stays as it was, for whoever passed it");
        }
        finally
        {
            LinuxSockets.Close(copy);
        }
    }

    [Fact]
    public void Adopt_AUnixSocket_IsRefusedNamingItsKind()
    {
        using var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var copy = Copy(unix);
        try
        {
            var adopt = () => ListeningSockets.Adopt(copy, "LISTEN_FDS descriptor 4");

            adopt.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("LISTEN_FDS descriptor 4 is a Unix Stream socket; the front door takes TCP sockets");
        }
        finally
        {
            LinuxSockets.Close(copy);
        }
    }

    [Fact]
    public void Adopt_AFile_IsRefusedAsNotASocket()
    {
        using var file = File.OpenHandle("/proc/self/status");
        var copy = LinuxSockets.Fcntl((int)file.DangerousGetHandle(), LinuxSockets.FDupFdCloexec, 0);
        try
        {
            var adopt = () => ListeningSockets.Adopt(copy, "LISTEN_FDS descriptor 5");

            adopt.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("LISTEN_FDS descriptor 5 is not a socket");
        }
        finally
        {
            LinuxSockets.Close(copy);
        }
    }

    private const int GetDescriptorFlags = 1;

    private static int Copy(Socket socket) => LinuxSockets.Fcntl((int)socket.Handle, LinuxSockets.FDupFdCloexec, 0);
}
