using System.Diagnostics;
using System.Net.Sockets;
using Defuss.Processes;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Processes;

/// <summary>Which private directories a starting primary removes: only this user's, whose primary no longer runs.</summary>
public sealed class LeftoverDirectoriesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("leftovers-").FullName;

    [Fact]
    public async Task RemoveStale_ADirectoryWhosePrimaryIsGone_IsRemoved()
    {
        var stale = Private("defuss-gone", await DeadPidAsync());

        LeftoverDirectories.RemoveStale(_root, keep: null).Should().Equal(stale);

        Directory.Exists(stale).Should().BeFalse();
    }

    [Fact]
    public void RemoveStale_ADirectoryWhosePrimaryRuns_IsKept()
    {
        var running = Private("defuss-running", Environment.ProcessId);

        LeftoverDirectories.RemoveStale(_root, keep: null).Should().BeEmpty();

        Directory.Exists(running).Should().BeTrue();
    }

    [Fact]
    public async Task RemoveStale_TheCallersOwnDirectory_IsKeptWhateverItSays()
    {
        var own = Private("defuss-own", await DeadPidAsync());

        LeftoverDirectories.RemoveStale(_root, keep: own).Should().BeEmpty();
    }

    [Fact]
    public void RemoveStale_ADirectoryWithoutPidFile_IsNeverTouched_EvenWithAControlSocketThatRefuses()
    {
        var refused = Directory.CreateDirectory(Path.Combine(_root, "defuss-refused")).FullName;
        var starting = Directory.CreateDirectory(Path.Combine(_root, "defuss-starting")).FullName;
        using var bound = Bind(Path.Combine(refused, "control.sock"), listen: false);

        LeftoverDirectories.RemoveStale(_root, keep: null).Should().BeEmpty("it may be another program's, or a primary's that has not written its pid yet");

        Directory.Exists(refused).Should().BeTrue();
        Directory.Exists(starting).Should().BeTrue();
    }

    [Fact]
    public async Task RemoveStale_OtherNamesAndLinks_AreNeverTouched()
    {
        var target = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        File.WriteAllText(Path.Combine(target, LeftoverDirectories.PidFile), (await DeadPidAsync()).ToString());
        var link = Path.Combine(_root, "defuss-link");
        Directory.CreateSymbolicLink(link, target);
        var unrelated = Private("other-gone", await DeadPidAsync());

        LeftoverDirectories.RemoveStale(_root, keep: null).Should().BeEmpty();

        Directory.Exists(target).Should().BeTrue();
        Directory.Exists(unrelated).Should().BeTrue();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Private(string name, int pid)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        LeftoverDirectories.Claim(directory, pid);
        return directory;
    }

    /// <summary>The pid of a process that has run and exited (the kernel does not hand it out again at once).</summary>
    private static async Task<int> DeadPidAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        return process.Id;
    }

    private static Socket Bind(string path, bool listen)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        if (listen)
        {
            socket.Listen();
        }

        return socket;
    }
}
