using Defuss.Actors.Workers;
using Defuss.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Defuss.Tests.TestSupport;

/// <summary>Starts real <c>/bin/sh -c</c> processes through the real launcher.</summary>
internal static class ShellWorkers
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    public static OsWorkerProcessLauncher Launcher(string script, TextWriter? errorEcho = null) =>
        Launcher(new WorkerCommandLine("/bin/sh", "-c", script), errorEcho);

    public static OsWorkerProcessLauncher Launcher(WorkerCommandLine command, TextWriter? errorEcho = null) =>
        new(command, NullLogger<OsWorkerProcessLauncher>.Instance, errorEcho ?? TextWriter.Null);

    public static WorkerLaunchRequest Request(params (string Name, string Value)[] environment) =>
        new(0, 1, environment.ToDictionary(e => e.Name, e => e.Value));
}
