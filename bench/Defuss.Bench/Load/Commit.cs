using Defuss.Bench.Load.Processes;

namespace Defuss.Bench.Load;

/// <summary>Names the commit a run measured, so that a report can be traced back to its code.</summary>
internal static class Commit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary><c>abc1234</c>, <c>abc1234+dirty</c> when tracked files had changes, <c>unknown</c> without git or a repository.</summary>
    public static async Task<string> DescribeAsync(string repository, CancellationToken cancellationToken)
    {
        if (Topologies.Tools.Which("git") is not { } git)
        {
            return "unknown";
        }

        try
        {
            var (headCode, head) = await ChildProcess.RunAsync("git rev-parse", git, ["-C", repository, "rev-parse", "--short", "HEAD"], Timeout, cancellationToken);
            if (headCode != 0)
            {
                return "unknown";
            }

            var (statusCode, status) = await ChildProcess.RunAsync("git status", git, ["-C", repository, "status", "--porcelain", "--untracked-files=no"], Timeout, cancellationToken);
            return head.Trim() + (statusCode == 0 && status.Trim().Length > 0 ? "+dirty" : "");
        }
        catch (TimeoutException)
        {
            return "unknown";
        }
    }
}
