using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Defuss.Worker.Runtime;

/// <summary>
/// A worker's host lifetime, in place of the console lifetime: SIGTERM and SIGQUIT stop the worker gracefully, while
/// SIGINT is ignored. A terminal's Ctrl+C reaches every process of its group, and the primary leads the drain. As the
/// host starts, the watch on the primary (if any) learns that it can now stop the app gracefully.
/// </summary>
internal sealed class WorkerLifetime(IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory, PrimaryWatch? watch = null) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        watch?.Attach(lifetime, loggerFactory.CreateLogger<PrimaryWatch>());
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
