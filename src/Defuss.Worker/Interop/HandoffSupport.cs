using System.Runtime.InteropServices;

namespace Defuss.Worker.Interop;

/// <summary>Whether this process can hand sockets over with <c>SCM_RIGHTS</c>, checked by doing it once.</summary>
internal static unsafe class HandoffSupport
{
    private static readonly Lazy<string?> Probed = new(Probe);

    /// <summary>Null when handoff works here; otherwise why not, in words for a log line.</summary>
    public static string? WhyUnsupported => Probed.Value;

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return $"socket handoff needs Linux, and this is {RuntimeInformation.OSDescription}";
        }

        if (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return $"socket handoff supports x64 and arm64, and this process is {RuntimeInformation.ProcessArchitecture}";
        }

        if (sizeof(LinuxSockets.MessageHeader) != 56 || sizeof(LinuxSockets.ControlHeader) != LinuxSockets.CmsgHeaderSize)
        {
            return "this platform's msghdr/cmsghdr layouts are not the 64-bit Linux ones";
        }

        try
        {
            return PassOneDescriptor();
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or FormatException)
        {
            return $"passing a descriptor failed: {exception.Message}";
        }
    }

    // Sends one end of a socket pair over the pair itself and checks that a new, working descriptor comes back.
    private static string? PassOneDescriptor()
    {
        var pair = stackalloc int[2];
        if (LinuxSockets.SocketPair(1 /* AF_UNIX */, 1 /* SOCK_STREAM */ | LinuxSockets.SockCloexec, 0, pair) != 0)
        {
            return $"socketpair failed with errno {LinuxSockets.LastError}";
        }

        using var sender = new DescriptorChannel(pair[0]);
        using var receiver = new DescriptorChannel(pair[1]);
        if (sender.Send(Protocol.HandoffFrameKind.Connection, 1, "probe"u8, pair[1]) != ChannelSendResult.Sent)
        {
            return $"sendmsg with SCM_RIGHTS failed with errno {LinuxSockets.LastError}";
        }

        if (!receiver.ReadFrame(out _, out var id, out var payload, out var descriptor) || id != 1 || !payload.SequenceEqual("probe"u8) || descriptor < 0)
        {
            return "recvmsg did not return the descriptor that was sent";
        }

        var cloexec = (LinuxSockets.Fcntl(descriptor, LinuxSockets.FGetFd, 0) & LinuxSockets.FdCloexec) != 0;
        _ = LinuxSockets.Close(descriptor);
        return cloexec ? null : "a received descriptor is not close-on-exec (MSG_CMSG_CLOEXEC is not honoured)";
    }
}
