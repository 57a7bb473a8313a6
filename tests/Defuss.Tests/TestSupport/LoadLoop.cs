namespace Defuss.Tests.TestSupport;

/// <summary>One loop of a <see cref="LoadGenerator"/>: the clients it used, one after the other.</summary>
internal sealed class LoadLoop(int index)
{
    private readonly Lock _gate = new();
    private readonly List<LoadClient> _clients = [];

    public int Index { get; } = index;

    public IReadOnlyList<LoadClient> Clients
    {
        get
        {
            lock (_gate)
            {
                return [.. _clients];
            }
        }
    }

    public int FailureCount => Clients.Sum(c => c.FailureCount);

    public long? LastFailureAt => Clients.Select(c => c.LastFailureAt).Max();

    public int Successes => Clients.Sum(c => c.Successes);

    public long? LastSuccessAt => Clients.Select(c => c.LastSuccessAt).Max();

    internal LoadClient NewClient()
    {
        lock (_gate)
        {
            var client = new LoadClient(_clients.Count);
            _clients.Add(client);
            return client;
        }
    }
}

/// <summary>
/// One <see cref="HttpClient"/> of a loop (one connection at a time): how many connections it opened (more than one
/// in keep-alive mode means the handler reconnected by itself), what its responses said, and its failures.
/// </summary>
internal sealed class LoadClient(int number)
{
    /// <summary>How many distinct bodies are remembered (enough for "which worker answered").</summary>
    private const int KeptBodies = 16;

    /// <summary>How many failures are remembered one by one; all are counted.</summary>
    private const int KeptFailures = 100;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _bodies = [];
    private readonly List<LoadFailure> _failures = [];
    private int _connections;

    public int Number { get; } = number;

    public int Connections => Volatile.Read(ref _connections);

    public int Successes { get; private set; }

    /// <summary>The body of this client's first successful response.</summary>
    public string? FirstBody { get; private set; }

    public long? LastSuccessAt { get; private set; }

    public IReadOnlyCollection<string> DistinctBodies
    {
        get
        {
            lock (_gate)
            {
                return [.. _bodies];
            }
        }
    }

    public int FailureCount { get; private set; }

    public long? LastFailureAt { get; private set; }

    /// <summary>The first failures, in order (at most 100; <see cref="FailureCount"/> counts them all).</summary>
    public IReadOnlyList<LoadFailure> Failures
    {
        get
        {
            lock (_gate)
            {
                return [.. _failures];
            }
        }
    }

    internal void RecordConnection() => Interlocked.Increment(ref _connections);

    internal void RecordSuccess(string body, long at)
    {
        lock (_gate)
        {
            FirstBody ??= body;
            if (_bodies.Count < KeptBodies)
            {
                _bodies.Add(body);
            }

            Successes++;
            LastSuccessAt = at;
        }
    }

    internal void RecordFailure(LoadFailure failure)
    {
        lock (_gate)
        {
            if (_failures.Count < KeptFailures)
            {
                _failures.Add(failure);
            }

            FailureCount++;
            LastFailureAt = failure.At;
        }
    }
}

/// <summary>A failed request: when it was seen to fail (<see cref="LoadGenerator.Now"/>) and why.</summary>
internal sealed record LoadFailure(long At, string Message);
