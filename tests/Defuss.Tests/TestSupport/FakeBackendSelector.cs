using System.Collections.Concurrent;
using System.Net;
using Defuss.Actors.Routing;
using Defuss.FrontDoor;

namespace Defuss.Tests.TestSupport;

/// <summary>An <see cref="IBackendSelector"/> that hands out the candidates a test scripts, and records every call.</summary>
internal sealed class FakeBackendSelector : IBackendSelector
{
    private readonly Func<ParsedRequest, int, BackendCandidate?> _choose;
    private int _calls;

    public FakeBackendSelector(Func<ParsedRequest, int, BackendCandidate?> choose) => _choose = choose;

    public ConcurrentQueue<ParsedRequest> Requests { get; } = new();

    public ConcurrentQueue<BackendCandidate> Chosen { get; } = new();

    public ConcurrentQueue<(BackendCandidate Backend, string Reason)> ConnectFailures { get; } = new();

    public ConcurrentQueue<BackendCandidate> Released { get; } = new();

    public AsyncCounter Releases { get; } = new();

    public AsyncCounter Choices { get; } = new();

    public Func<ParsedRequest, Exception?>? Throw { get; init; }

    /// <summary>Always <paramref name="backend"/> (null: never any backend).</summary>
    public static FakeBackendSelector Always(BackendCandidate? backend) => new((_, _) => backend);

    /// <summary>The candidates in order, the last one again once they run out.</summary>
    public static FakeBackendSelector Sequence(params BackendCandidate?[] backends) =>
        new((_, call) => backends[Math.Min(call, backends.Length - 1)]);

    public static BackendCandidate Candidate(EndPoint endPoint, int index = 0) =>
        new(BackendCandidate.IdOf(index), index, endPoint, Pid: 0, Ready: true, Healthy: true, DateTimeOffset.UnixEpoch, 0, null);

    public ValueTask<BackendCandidate?> ChooseAsync(ParsedRequest request, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls) - 1;
        Requests.Enqueue(request);
        if (Throw?.Invoke(request) is { } exception)
        {
            Choices.Increment();
            throw exception;
        }

        var backend = _choose(request, call);
        if (backend is not null)
        {
            Chosen.Enqueue(backend);
        }

        Choices.Increment();
        return ValueTask.FromResult(backend);
    }

    public void Release(BackendCandidate backend)
    {
        Released.Enqueue(backend);
        Releases.Increment();
    }

    public void ReportConnectFailure(BackendCandidate backend, string reason) => ConnectFailures.Enqueue((backend, reason));
}
