using System.IO.Pipes;
using Defuss.Tests.TestSupport;
using Defuss.Upgrade;
using Defuss.Worker.Interop;
using Microsoft.Win32.SafeHandles;

namespace Defuss.Tests.Upgrade;

/// <summary>
/// How a new primary takes back its standard error from the hand-over's pipe, on two real pipes of the test's own (never
/// its descriptor 2): every descriptor of the first pipe's write end, the duplicates too, ends up writing into the second.
/// </summary>
public sealed class DescriptorRedirectTests
{
    [Fact]
    public async Task Redirect_TheDescriptorAndItsDuplicates_AllWriteToTheTarget_AndTheOldPipeEnds()
    {
        using var handOverPipe = new AnonymousPipeServerStream(PipeDirection.In);
        using var ownPipe = new AnonymousPipeServerStream(PipeDirection.In);
        var writeEnd = (int)handOverPipe.ClientSafePipeHandle.DangerousGetHandle();
        // A console stream's duplicate, close-on-exec as .NET makes it.
        var duplicate = LinuxSockets.Fcntl(writeEnd, LinuxSockets.FDupFdCloexec, 3);
        duplicate.Should().BePositive();
        var target = (int)ownPipe.ClientSafePipeHandle.DangerousGetHandle();

        var redirected = DescriptorRedirect.Redirect(writeEnd, target);

        redirected.Should().BeEquivalentTo([writeEnd, duplicate], "the read end of the same pipe is not a write end, and is left alone");
        (LinuxSockets.Fcntl(duplicate, LinuxSockets.FGetFd, 0) & LinuxSockets.FdCloexec).Should().Be(LinuxSockets.FdCloexec, "a duplicate stays close-on-exec");
        using (var writer = new FileStream(new SafeFileHandle(duplicate, ownsHandle: true), FileAccess.Write))
        {
            await writer.WriteAsync("after the hand-over\n"u8.ToArray());
        }

        handOverPipe.DisposeLocalCopyOfClientHandle();
        var read = new byte[64];
        var count = await ownPipe.ReadAsync(read).AsTask().WaitAsync(TestTimeouts.Default);
        read.AsSpan(0, count).ToArray().Should().Equal("after the hand-over\n"u8.ToArray());
        (await handOverPipe.ReadAsync(read).AsTask().WaitAsync(TestTimeouts.Default)).Should().Be(0, "no descriptor writes into the hand-over's pipe any more");
    }
}
