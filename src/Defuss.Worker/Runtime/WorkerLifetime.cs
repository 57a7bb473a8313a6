using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace Defuss.Worker.Runtime;

/// <summary>
/// A worker's host lifetime, in place of the console lifetime: SIGTERM and SIGQUIT stop the worker gracefully, while
/// SIGINT is ignored. A terminal's Ctrl+C reaches every process of its group, and the primary leads the drain.
/// </summary>
internal sealed class WorkerLifetime(IHostApplicationLifetime lifetime) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true));
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                lifetime.StopApplication();
            }));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
