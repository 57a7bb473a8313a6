using Defuss.Tests.TestSupport;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Worker.Interop;

/// <summary>Descriptors a peer sends where no frame carries one, and descriptors the kernel drops: none stays open here.</summary>
public sealed partial class DescriptorChannelTests
{
    private const int SoPassCred = 16;

    /// <summary>Sends <paramref name="bytes"/> in one <c>sendmsg</c> with <paramref name="count"/> copies of <paramref name="descriptor"/>.</summary>
    private static unsafe void SendWithCopies(int fd, ReadOnlySpan<byte> bytes, int descriptor, int count)
    {
        var space = LinuxSockets.CmsgSpace(count);
        var control = stackalloc byte[space];
        var cmsg = (LinuxSockets.ControlHeader*)control;
        cmsg->Length = (nuint)LinuxSockets.CmsgLength(count);
        cmsg->Level = LinuxSockets.SolSocket;
        cmsg->Type = LinuxSockets.ScmRights;
        for (var i = 0; i < count; i++)
        {
            ((int*)(control + LinuxSockets.CmsgHeaderSize))[i] = descriptor;
        }

        fixed (byte* data = bytes)
        {
            var iov = new LinuxSockets.IoVec { Base = data, Length = (nuint)bytes.Length };
            var message = new LinuxSockets.MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
            LinuxSockets.SendMessage(fd, &message, LinuxSockets.MsgNoSignal).Should().Be(bytes.Length, $"sendmsg failed with errno {LinuxSockets.LastError}");
        }
    }

    [Fact]
    public void ReadFrame_DescriptorAttachedToAFrameThatCarriesNone_ClosesItAtOnceAndThrows()
    {
        using var pair = TestDescriptors.SocketPair();
        using var passed = TestDescriptors.SocketPair();
        using var receiver = new DescriptorChannel(pair.TakeSecond());
        TestDescriptors.SendWithDescriptor(pair.First, Header(HandoffFrameKind.Closed, 1, 0), passed.First);
        passed.CloseFirst();

        var read = () => receiver.ReadFrame(out _, out _, out _, out _);

        read.Should().Throw<FormatException>().WithMessage("1 descriptors arrived with handoff frames that carry none*");
        TestDescriptors.SeesEndOfStream(passed.Second, TestTimeouts.Default).Should().BeTrue("the parked descriptor was closed before the channel was");
    }

    [Fact]
    public void ReadFrame_253DescriptorsOnOneClosedFrame_ClosesThemAllAtOnceAndThrows()
    {
        using var pair = TestDescriptors.SocketPair();
        using var passed = TestDescriptors.SocketPair();
        using var receiver = new DescriptorChannel(pair.TakeSecond());
        SendWithCopies(pair.First, Header(HandoffFrameKind.Closed, 1, 0), passed.First, LinuxSockets.MaxDescriptorsPerMessage);
        passed.CloseFirst();

        var read = () => receiver.ReadFrame(out _, out _, out _, out _);

        read.Should().Throw<FormatException>().WithMessage("One handoff message brought 253 descriptors*");
        TestDescriptors.SeesEndOfStream(passed.Second, TestTimeouts.Default).Should().BeTrue("none of the 253 copies was kept");
    }

    [Fact]
    public async Task ReadFrame_DescriptorInTheMiddleOfAFrame_ClosesItAtOnceAndThrows()
    {
        using var pair = TestDescriptors.SocketPair();
        using var passed = TestDescriptors.SocketPair();
        var receiverFd = pair.Second;
        using var receiver = new DescriptorChannel(pair.TakeSecond());
        var header = Header(HandoffFrameKind.Returned, 1, 8);
        var reader = Task.Factory.StartNew(() => receiver.ReadFrame(out _, out _, out _, out _), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            TestDescriptors.SendAll(pair.First, header.AsSpan(0, 8));
            await Eventually.TrueAsync(() => TestDescriptors.Pending(receiverFd) == 0, "the reader has taken the first half of the header");

            // The descriptor comes with the rest of the header, not with the frame's first byte: no frame claims it.
            TestDescriptors.SendWithDescriptor(pair.First, header.AsSpan(8), passed.First);
            passed.CloseFirst();
            var read = async () => await reader.WaitAsync(TestTimeouts.Default);

            await read.Should().ThrowAsync<FormatException>().WithMessage("1 descriptors arrived in the middle of a handoff frame*");
            TestDescriptors.SeesEndOfStream(passed.Second, TestTimeouts.Default).Should().BeTrue("the descriptor was closed while the frame was still incomplete");
        }
        finally
        {
            pair.CloseFirst();
            _ = await Task.WhenAny(reader, Task.Delay(TestTimeouts.Default));
        }
    }

    [Fact]
    public void ReadFrame_OneWriteOfTwoFramesWithTheSecondsDescriptor_GivesItToTheSecond()
    {
        using var pair = TestDescriptors.SocketPair();
        using var passed = TestDescriptors.SocketPair();
        using var receiver = new DescriptorChannel(pair.TakeSecond());
        byte[] frames = [.. Header(HandoffFrameKind.Closed, 1, 0), .. Header(HandoffFrameKind.Returned, 2, 0)];

        // The kernel attaches the descriptor to the write's first byte, the Closed frame's: the range still holds the
        // Returned frame's start, so it is that frame's, and nothing is closed.
        TestDescriptors.SendWithDescriptor(pair.First, frames, passed.First);
        var first = ReadOne(receiver);
        var second = ReadOne(receiver);

        first.Should().BeEquivalentTo(new ReceivedFrame(HandoffFrameKind.Closed, 1, [], null, false));
        second!.Kind.Should().Be(HandoffFrameKind.Returned);
        second.Descriptor.Should().Be(TestDescriptors.Identity(passed.First));
    }

    [Fact]
    public void ReadFrame_KernelDropsDescriptorsThatDoNotFit_ClosesThoseThatCameAndThrowsIOException()
    {
        using var pair = TestDescriptors.SocketPair();
        using var passed = TestDescriptors.SocketPair();
        // With credentials passed, a message of 253 descriptors no longer fits the control buffer: the kernel drops the
        // ones that do not fit and says so with MSG_CTRUNC, as it does for all of them at the descriptor limit.
        LinuxSockets.SetIntOption(pair.Second, LinuxSockets.SolSocket, SoPassCred, 1).Should().Be(0);
        using var receiver = new DescriptorChannel(pair.TakeSecond());
        SendWithCopies(pair.First, Header(HandoffFrameKind.Returned, 1, 0), passed.First, LinuxSockets.MaxDescriptorsPerMessage);
        passed.CloseFirst();

        var read = () => receiver.ReadFrame(out _, out _, out _, out _);

        read.Should().Throw<IOException>().WithMessage("*MSG_CTRUNC*");
        TestDescriptors.SeesEndOfStream(passed.Second, TestTimeouts.Default).Should().BeTrue("the copies that did arrive were closed at once");
    }

    [Fact]
    public void SendFrames_TimesOutWithPartOfTheBatchSent_EndsTheChannelBothWays()
    {
        using var channels = new ChannelPair();
        const int Count = 64 * 1024; // 1 MiB of headers: more than the socket buffers hold, and nobody reads
        var batch = new byte[Count * HandoffFrame.HeaderSize];
        for (var i = 0; i < Count; i++)
        {
            HandoffFrame.WriteHeader(batch.AsSpan(i * HandoffFrame.HeaderSize), HandoffFrameKind.Closed, i, 0);
        }

        channels.Sender.SendFrames(batch, TestTimeouts.Short).Should().BeFalse();

        channels.Sender.Send(HandoffFrameKind.Closed, Count, [], -1).Should().Be(ChannelSendResult.Closed, "a stream with half a frame in it cannot carry another");
        var received = ReadUntilEnd(channels.Receiver);
        received.Should().NotBeEmpty().And.HaveCountLessThan(Count);
        received.Select(frame => frame.Id).Should().Equal(Enumerable.Range(0, received.Count).Select(i => (long)i), "the whole frames arrived, and the stream then ended");
    }
}
