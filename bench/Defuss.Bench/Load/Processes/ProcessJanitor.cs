using System.Collections.Concurrent;

namespace Defuss.Bench.Load.Processes;

/// <summary>
/// Every process the bench has started and not yet stopped, so that a bench ended by a second Ctrl+C, SIGTERM or an
/// unhandled exception still kills them (by pid) on its way out.
/// </summary>
internal static class ProcessJanitor
{
    private static readonly ConcurrentDictionary<ChildProcess, byte> Running = new();

    public static int Count => Running.Count;

    public static void Add(ChildProcess process) => Running.TryAdd(process, 0);

    public static void Remove(ChildProcess process) => Running.TryRemove(process, out _);

    /// <summary>SIGKILL to every process still running and everything below it.</summary>
    public static void KillAll()
    {
        foreach (var process in Running.Keys)
        {
            try
            {
                process.KillNow();
            }
            catch (Exception exception)
            {
                // A signal handler or an exit path: one process that cannot be killed must not spare the others.
                Console.Error.WriteLine($"warning: could not kill {process.Name} (pid {process.Pid}): {exception.Message}");
            }

            Remove(process);
        }
    }
}
