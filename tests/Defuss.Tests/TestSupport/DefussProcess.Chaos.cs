using System.Diagnostics;
using System.Globalization;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// What the chaos tests need beyond a plain run: a primary whose own output is a pipe nobody reads (until the test says
/// so), a primary that is not waited for, its private directory, and its memory.
/// </summary>
internal sealed partial class DefussProcess
{
    private readonly TaskCompletionSource _resumeReading = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The primary's private directory (the workers' sockets and control.sock), once a worker has been started.</summary>
    public string? PrivateDirectory => _privateDirectory;

    /// <summary>
    /// Starts the Showcase with 2 workers plus <paramref name="settings"/>, reads its standard output only until it
    /// listens, and from then on reads neither of its output streams: they are pipes nobody reads, which fill up and
    /// block whoever writes to them, until <see cref="ResumeReadingOutput"/>.
    /// </summary>
    public static async Task<DefussProcess> StartWithUnreadOutputAsync(params string[] settings)
    {
        var process = LaunchUnread(ShowcasePath, settings);
        try
        {
            process.Port = await process._listening.Task.WaitAsync(StartTimeout);
            return process;
        }
        catch (Exception exception)
        {
            process.ResumeReadingOutput();
            await process.DisposeAsync();
            throw new InvalidOperationException($"The Showcase did not start listening: {exception.Message}{Environment.NewLine}{process.Output}", exception);
        }
    }

    /// <summary>Starts the Showcase with 2 workers plus <paramref name="settings"/> and returns at once, listening or not.</summary>
    public static DefussProcess LaunchShowcase(params string[] settings) => Launch(ShowcasePath, settings);

    /// <summary>The primary reads its output again (the end of the "nobody reads it" condition).</summary>
    public void ResumeReadingOutput() => _resumeReading.TrySetResult();

    /// <summary>The primary's resident memory now, and at its peak so far (<c>VmRSS</c> and <c>VmHWM</c>), in bytes.</summary>
    public (long Resident, long Peak) Memory()
    {
        long Field(string[] status, string name) =>
            long.Parse(status.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

        var status = File.ReadAllLines($"/proc/{Pid}/status");
        return (Field(status, "VmRSS"), Field(status, "VmHWM"));
    }

    private static DefussProcess LaunchUnread(string appPath, string[] settings)
    {
        var process = new DefussProcess(new Process { StartInfo = StartInfo(appPath, settings) });
        process._primary.Start();
        process._primary.StandardInput.Close();
        _ = process.ReadOutputUntilListeningAsync();
        _ = process.ReadErrorOnceResumedAsync();
        return process;
    }

    /// <summary>Reads standard output until the primary listens, then waits for the test before it reads on.</summary>
    private async Task ReadOutputUntilListeningAsync()
    {
        var reader = _primary.StandardOutput;
        while (await reader.ReadLineAsync() is { } line)
        {
            OnLine(line, stdout: true);
            if (_listening.Task.IsCompleted)
            {
                await _resumeReading.Task;
            }
        }

        OnLine(null, stdout: true);
    }

    private async Task ReadErrorOnceResumedAsync()
    {
        await _resumeReading.Task;
        var reader = _primary.StandardError;
        while (await reader.ReadLineAsync() is { } line)
        {
            OnLine(line, stdout: false);
        }

        OnLine(null, stdout: false);
    }
}
