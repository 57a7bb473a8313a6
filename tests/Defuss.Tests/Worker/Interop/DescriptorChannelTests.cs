using System.Text;
using Defuss.Tests.TestSupport;
using Defuss.Worker.Interop;
using Defuss.Worker.Protocol;

namespace Defuss.Tests.Worker.Interop;

public sealed partial class DescriptorChannelTests
{
    /// <summary>A frame as the reading side saw it; a received descriptor is described, then closed at once.</summary>
    private sealed record ReceivedFrame(HandoffFrameKind Kind, long Id, byte[] Payload, string? Descriptor, bool CloseOnExec);

    /// <summary>Two channels over one socket pair. A reader started here is waited for before the reading end closes.</summary>
    private sealed class ChannelPair : IDisposable
    {
        private Task<List<ReceivedFrame>>? _reader;

        public ChannelPair()
        {
            using var pair = TestDescriptors.SocketPair();
            SenderFd = pair.First;
            ReceiverFd = pair.Second;
            Sender = new DescriptorChannel(pair.TakeFirst());
            Receiver = new DescriptorChannel(pair.TakeSecond());
        }

        public DescriptorChannel Sender { get; }

        public DescriptorChannel Receiver { get; }

        /// <summary>The sender's socket, to poll while <see cref="Sender"/> is open.</summary>
        public int SenderFd { get; }

        /// <summary>The receiver's socket, to look at while <see cref="Receiver"/> is open.</summary>
        public int ReceiverFd { get; }

        /// <summary>Reads on a thread of its own until the sender's end closes.</summary>
        public Task<List<ReceivedFrame>> StartReader()
        {
            _reader = Task.Factory.StartNew(() => ReadUntilEnd(Receiver), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return _reader;
        }

        public void Dispose()
        {
            Sender.Dispose();
            if (_reader is not null)
            {
                Receiver.Shutdown(LinuxSockets.ShutReadWrite);
                try
                {
                    _ = _reader.Wait(TestTimeouts.Default);
                }
                catch (AggregateException)
                {
                    // The test has seen (or will not need) what the reader threw.
                }
            }

            Receiver.Dispose();
        }
    }

    private static byte[] Header(HandoffFrameKind kind, long id, int payloadLength)
    {
        var header = new byte[HandoffFrame.HeaderSize];
        HandoffFrame.WriteHeader(header, kind, id, payloadLength);
        return header;
    }

    private static ReceivedFrame? ReadOne(DescriptorChannel receiver)
    {
        if (!receiver.ReadFrame(out var kind, out var id, out var payload, out var descriptor))
        {
            return null;
        }

        if (descriptor < 0)
        {
            return new ReceivedFrame(kind, id, payload.ToArray(), null, false);
        }

        try
        {
            return new ReceivedFrame(kind, id, payload.ToArray(), TestDescriptors.Identity(descriptor), TestDescriptors.HasCloseOnExec(descriptor));
        }
        finally
        {
            TestDescriptors.Close(descriptor);
        }
    }

    private static List<ReceivedFrame> ReadUntilEnd(DescriptorChannel receiver)
    {
        var frames = new List<ReceivedFrame>();
        while (ReadOne(receiver) is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    /// <summary>Sends one frame, waiting (in poll, never sleeping) while the channel is full.</summary>
    private static void SendWaitingForRoom(ChannelPair channels, HandoffFrameKind kind, long id, ReadOnlySpan<byte> payload, int descriptor)
    {
        var deadline = Environment.TickCount64 + (long)TestTimeouts.Bulk.TotalMilliseconds;
        while (true)
        {
            var result = channels.Sender.Send(kind, id, payload, descriptor);
            if (result == ChannelSendResult.Sent)
            {
                return;
            }

            result.Should().Be(ChannelSendResult.Full, $"frame {id} can only wait for room while the reader reads");
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"Frame {id} found no room in the channel.");
            }

            _ = TestDescriptors.IsWritable(channels.SenderFd, TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void Send_Descriptor_ArrivesAsANewWorkingDescriptor()
    {
        using var channels = new ChannelPair();
        using var passed = TestDescriptors.SocketPair();
        var head = "GET / HTTP/1.1\r\n\r\n"u8.ToArray();

        channels.Sender.Send(HandoffFrameKind.Connection, 7, head, passed.First).Should().Be(ChannelSendResult.Sent);
        channels.Receiver.ReadFrame(out var kind, out var id, out var payload, out var descriptor).Should().BeTrue();
        try
        {
            kind.Should().Be(HandoffFrameKind.Connection);
            id.Should().Be(7);
            payload.ToArray().Should().Equal(head);
            descriptor.Should().BeGreaterThanOrEqualTo(0).And.NotBe(passed.First).And.NotBe(passed.Second);
            TestDescriptors.Identity(descriptor).Should().Be(TestDescriptors.Identity(passed.First), "it is the same socket");

            // The sender's own copy goes: the received one alone carries the conversation, both ways.
            passed.CloseFirst();
            TestDescriptors.SendAll(descriptor, "through the copy"u8);
            TestDescriptors.ReceiveExactly(passed.Second, 16).Should().Equal("through the copy"u8.ToArray());
            TestDescriptors.SendAll(passed.Second, "back"u8);
            TestDescriptors.ReceiveExactly(descriptor, 4).Should().Equal("back"u8.ToArray());
        }
        finally
        {
            TestDescriptors.Close(descriptor);
        }

        TestDescriptors.SeesEndOfStream(passed.Second, TestTimeouts.Default).Should().BeTrue("the received copy was the last one");
    }

    [Fact]
    public void ReadFrame_ReceivedDescriptor_IsCloseOnExec()
    {
        using var channels = new ChannelPair();
        using var passed = TestDescriptors.SocketPair();

        channels.Sender.Send(HandoffFrameKind.Returned, 3, [], passed.First).Should().Be(ChannelSendResult.Sent);
        var frame = ReadOne(channels.Receiver);

        frame.Should().NotBeNull();
        frame!.Kind.Should().Be(HandoffFrameKind.Returned);
        frame.Payload.Should().BeEmpty();
        frame.Descriptor.Should().Be(TestDescriptors.Identity(passed.First));
        frame.CloseOnExec.Should().BeTrue("a worker must not leak client sockets into the processes it starts");
    }

    [Fact]
    public void ReadFrame_FrameWithoutDescriptor_GivesMinusOne()
    {
        using var channels = new ChannelPair();

        channels.Sender.Send(HandoffFrameKind.Hello, 1, "secret"u8, -1).Should().Be(ChannelSendResult.Sent);
        channels.Receiver.ReadFrame(out var kind, out _, out var payload, out var descriptor).Should().BeTrue();

        kind.Should().Be(HandoffFrameKind.Hello);
        Encoding.ASCII.GetString(payload).Should().Be("secret");
        descriptor.Should().Be(-1);
    }

    [Fact]
    public async Task Send_ThousandMixedFrames_ArriveInOrderEachWithItsOwnDescriptor()
    {
        const int Count = 1000;
        using var channels = new ChannelPair();
        var pool = Enumerable.Range(0, 5).Select(_ => TestDescriptors.SocketPair()).ToArray();
        try
        {
            var identities = pool.Select(pair => TestDescriptors.Identity(pair.First)).ToArray();
            var random = new Random(20_240_611);
            HandoffFrameKind[] kinds = [HandoffFrameKind.Connection, HandoffFrameKind.Closed, HandoffFrameKind.Returned, HandoffFrameKind.Hello];
            var plan = Enumerable.Range(0, Count).Select(i =>
            {
                var kind = kinds[random.Next(kinds.Length)];
                var payload = new byte[random.Next(4) == 0 ? random.Next(16) : random.Next(64 * 1024 + 1)];
                random.NextBytes(payload);
                var passed = HandoffFrame.CarriesDescriptor(kind) ? random.Next(pool.Length) : -1;
                return (Kind: kind, Id: (long)i * 7919, Payload: payload, Passed: passed);
            }).ToArray();

            var reader = channels.StartReader();
            foreach (var frame in plan)
            {
                SendWaitingForRoom(channels, frame.Kind, frame.Id, frame.Payload, frame.Passed < 0 ? -1 : pool[frame.Passed].First);
            }

            channels.Sender.Dispose();
            var received = await reader.WaitAsync(TestTimeouts.Bulk);

            received.Should().HaveCount(Count);
            for (var i = 0; i < Count; i++)
            {
                var (kind, id, payload, passed) = plan[i];
                received[i].Kind.Should().Be(kind, $"frame {i}");
                received[i].Id.Should().Be(id, $"frame {i}");
                received[i].Payload.AsSpan().SequenceEqual(payload).Should().BeTrue($"frame {i} keeps its {payload.Length}-byte payload");
                received[i].Descriptor.Should().Be(passed < 0 ? null : identities[passed], $"frame {i} carries its own descriptor");
            }

            // Every received copy is closed: once the senders' copies go, each socket's peer sees the end.
            foreach (var pair in pool)
            {
                pair.CloseFirst();
                TestDescriptors.SeesEndOfStream(pair.Second, TestTimeouts.Default).Should().BeTrue("no copy of a passed descriptor is left open");
            }
        }
        finally
        {
            foreach (var pair in pool)
            {
                pair.Dispose();
            }
        }
    }

    [Fact]
    public async Task Send_LargestPayload_ArrivesWholeAndTheStreamStaysFramed()
    {
        using var channels = new ChannelPair();
        using var passed = TestDescriptors.SocketPair();
        var payload = new byte[HandoffFrame.MaxPayload];
        new Random(5).NextBytes(payload);

        var reader = channels.StartReader();
        channels.Sender.Send(HandoffFrameKind.Connection, 11, payload, passed.First).Should().Be(ChannelSendResult.Sent);
        channels.Sender.Send(HandoffFrameKind.Closed, 12, "next"u8, -1).Should().Be(ChannelSendResult.Sent);
        channels.Sender.Dispose();
        var received = await reader.WaitAsync(TestTimeouts.Bulk);

        received.Should().HaveCount(2);
        received[0].Id.Should().Be(11);
        received[0].Payload.Length.Should().Be(HandoffFrame.MaxPayload);
        received[0].Payload.AsSpan().SequenceEqual(payload).Should().BeTrue("the 1 MiB payload arrives intact");
        received[0].Descriptor.Should().Be(TestDescriptors.Identity(passed.First));
        received[1].Should().BeEquivalentTo(new ReceivedFrame(HandoffFrameKind.Closed, 12, "next"u8.ToArray(), null, false));
    }

    [Fact]
    public void Send_PayloadOverTheLimit_ThrowsAndSendsNothing()
    {
        using var channels = new ChannelPair();

        var send = () => channels.Sender.Send(HandoffFrameKind.Connection, 1, new byte[HandoffFrame.MaxPayload + 1], -1);

        send.Should().Throw<ArgumentOutOfRangeException>();
        TestDescriptors.Pending(channels.ReceiverFd).Should().Be(0);
    }

    [Fact]
    public void Send_PeerClosed_ReturnsClosedAndKeepsTheDescriptor()
    {
        using var channels = new ChannelPair();
        using var passed = TestDescriptors.SocketPair();
        channels.Receiver.Dispose();

        channels.Sender.Send(HandoffFrameKind.Closed, 1, [], -1).Should().Be(ChannelSendResult.Closed);
        channels.Sender.Send(HandoffFrameKind.Connection, 2, "head"u8, passed.First).Should().Be(ChannelSendResult.Closed);
        channels.Sender.SendFrames(Header(HandoffFrameKind.Closed, 3, 0), TestTimeouts.Short).Should().BeFalse();

        TestDescriptors.SendAll(passed.First, "still mine"u8);
        TestDescriptors.ReceiveExactly(passed.Second, 10).Should().Equal("still mine"u8.ToArray());
    }

    [Fact]
    public async Task Send_PeerNotReading_ReturnsFullWithoutBlockingAndSendsNothingOfThatFrame()
    {
        using var channels = new ChannelPair();
        using var passed = TestDescriptors.SocketPair();
        var sender = channels.Sender;

        // On a thread: a Send that blocked would hang there, and the timeout below would fail the test.
        var sent = await Task.Run(() =>
        {
            var payload = new byte[100];
            for (var i = 0; i < 1_000_000; i++)
            {
                var result = sender.Send(HandoffFrameKind.Closed, i, payload, -1);
                if (result == ChannelSendResult.Full)
                {
                    return i;
                }

                result.Should().Be(ChannelSendResult.Sent);
            }

            throw new InvalidOperationException("A million frames fit in a channel no one reads.");
        }).WaitAsync(TestTimeouts.Default);
        var withDescriptor = await Task.Run(() => sender.Send(HandoffFrameKind.Connection, sent, "head"u8, passed.First)).WaitAsync(TestTimeouts.Default);
        sender.Dispose();
        var received = ReadUntilEnd(channels.Receiver);

        sent.Should().BeGreaterThan(0);
        withDescriptor.Should().Be(ChannelSendResult.Full);
        received.Select(frame => frame.Id).Should().Equal(Enumerable.Range(0, sent).Select(i => (long)i), "every frame sent arrived, and none of the one that did not fit");
        received.Should().OnlyContain(frame => frame.Kind == HandoffFrameKind.Closed && frame.Payload.Length == 100 && frame.Descriptor == null);
        passed.CloseFirst();
        TestDescriptors.SeesEndOfStream(passed.Second, TestTimeouts.Default).Should().BeTrue("the descriptor of the frame that did not fit was not passed");
    }

    [Fact]
    public void Send_AfterPeerShutItsReadingSide_ReturnsClosedWhileWhatWasSentStaysReadable()
    {
        using var channels = new ChannelPair();
        using var passed = TestDescriptors.SocketPair();
        channels.Sender.Send(HandoffFrameKind.Closed, 1, "before"u8, -1).Should().Be(ChannelSendResult.Sent);

        channels.Receiver.Shutdown(LinuxSockets.ShutRead);

        channels.Sender.Send(HandoffFrameKind.Connection, 2, "after"u8, passed.First).Should().Be(ChannelSendResult.Closed);
        channels.Sender.SendFrames(Header(HandoffFrameKind.Closed, 3, 0), TestTimeouts.Short).Should().BeFalse();
        ReadOne(channels.Receiver).Should().BeEquivalentTo(new ReceivedFrame(HandoffFrameKind.Closed, 1, "before"u8.ToArray(), null, false));
        ReadOne(channels.Receiver).Should().BeNull("nothing after the shutdown got in");

        // A worker that stopped receiving still reports to the primary.
        channels.Receiver.Send(HandoffFrameKind.Closed, 4, [], -1).Should().Be(ChannelSendResult.Sent);
        ReadOne(channels.Sender).Should().BeEquivalentTo(new ReceivedFrame(HandoffFrameKind.Closed, 4, [], null, false));
        passed.CloseFirst();
        TestDescriptors.SeesEndOfStream(passed.Second, TestTimeouts.Default).Should().BeTrue("the refused frame's descriptor was not passed");
    }

    [Fact]
    public void Send_AfterDispose_ReturnsClosed()
    {
        using var channels = new ChannelPair();

        channels.Sender.Dispose();
        channels.Sender.Dispose();

        channels.Sender.IsClosed.Should().BeTrue();
        channels.Sender.Send(HandoffFrameKind.Closed, 1, [], -1).Should().Be(ChannelSendResult.Closed);
        channels.Sender.SendFrames(Header(HandoffFrameKind.Closed, 1, 0), TestTimeouts.Short).Should().BeFalse();
        ReadOne(channels.Receiver).Should().BeNull("the peer sees the channel end");
    }

    [Fact]
    public void SendFrames_Batch_ArrivesAsSeparateFramesInOrder()
    {
        using var channels = new ChannelPair();
        var batch = new byte[256 * HandoffFrame.HeaderSize];
        for (var i = 0; i < 256; i++)
        {
            HandoffFrame.WriteHeader(batch.AsSpan(i * HandoffFrame.HeaderSize), HandoffFrameKind.Closed, 1000 + i, 0);
        }

        channels.Sender.SendFrames(batch, TestTimeouts.Default).Should().BeTrue();
        channels.Sender.Dispose();
        var received = ReadUntilEnd(channels.Receiver);

        received.Select(frame => frame.Id).Should().Equal(Enumerable.Range(1000, 256).Select(i => (long)i));
        received.Should().OnlyContain(frame => frame.Kind == HandoffFrameKind.Closed && frame.Payload.Length == 0 && frame.Descriptor == null);
    }

    [Fact]
    public async Task SendFrames_MoreThanTheChannelHolds_WaitsForTheReader()
    {
        using var channels = new ChannelPair();
        const int Count = 64 * 1024; // 1 MiB of headers, several times what the socket buffers hold
        var batch = new byte[Count * HandoffFrame.HeaderSize];
        for (var i = 0; i < Count; i++)
        {
            HandoffFrame.WriteHeader(batch.AsSpan(i * HandoffFrame.HeaderSize), HandoffFrameKind.Closed, i, 0);
        }

        var reader = channels.StartReader();
        channels.Sender.SendFrames(batch, TestTimeouts.Bulk).Should().BeTrue();
        channels.Sender.Dispose();
        var received = await reader.WaitAsync(TestTimeouts.Bulk);

        received.Select(frame => frame.Id).Should().Equal(Enumerable.Range(0, Count).Select(i => (long)i));
    }

    [Fact]
    public async Task ReadFrame_FrameArrivingInPieces_WaitsForAllOfIt()
    {
        using var pair = TestDescriptors.SocketPair();
        var receiverFd = pair.Second;
        using var receiver = new DescriptorChannel(pair.TakeSecond());
        byte[] frame = [.. Header(HandoffFrameKind.Hello, 21, 10), .. "0123456789"u8];
        var reader = Task.Factory.StartNew(() => ReadUntilEnd(receiver), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var (from, to) in new[] { (0, 5), (5, 16), (16, 20) })
            {
                TestDescriptors.SendAll(pair.First, frame.AsSpan(from..to));
                await Eventually.TrueAsync(() => TestDescriptors.Pending(receiverFd) == 0, $"the reader has taken bytes {from} to {to}");
                reader.IsCompleted.Should().BeFalse("the frame is not whole yet");
            }

            TestDescriptors.SendAll(pair.First, frame.AsSpan(20));
            pair.CloseFirst();
            var received = await reader.WaitAsync(TestTimeouts.Default);

            received.Should().ContainSingle().Which.Should().BeEquivalentTo(new ReceivedFrame(HandoffFrameKind.Hello, 21, "0123456789"u8.ToArray(), null, false));
        }
        finally
        {
            pair.CloseFirst();
            await reader.WaitAsync(TestTimeouts.Default);
        }
    }

    [Fact]
    public void ReadFrame_PeerClosedInTheMiddleOfAFrame_ReturnsFalse()
    {
        using var pair = TestDescriptors.SocketPair();
        using var receiver = new DescriptorChannel(pair.TakeSecond());

        TestDescriptors.SendAll(pair.First, Header(HandoffFrameKind.Hello, 1, 100).AsSpan(0, 12));
        pair.CloseFirst();

        receiver.ReadFrame(out _, out _, out _, out var descriptor).Should().BeFalse();
        descriptor.Should().Be(-1);
    }

    [Fact]
    public void ReadFrame_GarbageHeader_ThrowsFormatException()
    {
        using var pair = TestDescriptors.SocketPair();
        using var receiver = new DescriptorChannel(pair.TakeSecond());
        byte[] garbage = [.. "GET / HTTP/1.1\r\n"u8];

        TestDescriptors.SendAll(pair.First, garbage);

        var read = () => receiver.ReadFrame(out _, out _, out _, out _);
        read.Should().Throw<FormatException>();
    }

    [Fact]
    public void ReadFrame_DescriptorFrameWithoutADescriptor_ThrowsFormatException()
    {
        using var pair = TestDescriptors.SocketPair();
        using var receiver = new DescriptorChannel(pair.TakeSecond());

        TestDescriptors.SendAll(pair.First, Header(HandoffFrameKind.Connection, 1, 0));

        var read = () => receiver.ReadFrame(out _, out _, out _, out _);
        read.Should().Throw<FormatException>().WithMessage("*Connection*without its descriptor*");
    }

    [Fact]
    public void Dispose_DescriptorReceivedButItsFrameNotRead_ClosesIt()
    {
        using var pair = TestDescriptors.SocketPair();
        using var passed = TestDescriptors.SocketPair();
        var receiverFd = pair.Second;
        var receiver = new DescriptorChannel(pair.TakeSecond());
        try
        {
            // A whole frame, then the first half of one with its descriptor: one read takes both in, and stops there.
            TestDescriptors.SendAll(pair.First, Header(HandoffFrameKind.Closed, 1, 0));
            TestDescriptors.SendWithDescriptor(pair.First, Header(HandoffFrameKind.Connection, 2, 0).AsSpan(0, 8), passed.First);
            passed.CloseFirst();

            ReadOne(receiver).Should().BeEquivalentTo(new ReceivedFrame(HandoffFrameKind.Closed, 1, [], null, false));
            TestDescriptors.Pending(receiverFd).Should().Be(0, "the half frame and its descriptor were read in");
            TestDescriptors.IsReadable(passed.Second, TimeSpan.Zero).Should().BeFalse("the channel holds the descriptor it received");
        }
        finally
        {
            receiver.Dispose();
        }

        TestDescriptors.SeesEndOfStream(passed.Second, TestTimeouts.Default).Should().BeTrue("Dispose closed the unread descriptor");
    }

    [Fact]
    public async Task Shutdown_ReaderBlocked_MakesReadFrameReturnFalse()
    {
        using var channels = new ChannelPair();
        var reader = channels.StartReader();
        await Eventually.TrueAsync(() => reader.Status == TaskStatus.Running, "the reader runs");

        channels.Receiver.Shutdown(LinuxSockets.ShutRead);

        (await reader.WaitAsync(TestTimeouts.Default)).Should().BeEmpty();
    }
}
