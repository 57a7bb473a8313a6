using System.Net;
using System.Net.Sockets;
using Defuss.Worker.Interop;

namespace Defuss.FrontDoor;

/// <summary>
/// One accepted connection as the listener tracks it: its socket (a .NET <see cref="Socket"/> when it is proxied, a bare
/// descriptor while it waits to be handed off) and its lifetime task.
/// </summary>
internal sealed class FrontDoorConnection : IThreadPoolWorkItem
{
    private readonly FrontDoorListener? _listener;

    /// <summary>Made only when someone waits for the end (a drain): most connections end without anyone asking.</summary>
    private TaskCompletionSource? _completion;
    private int _completed;

    /// <summary>A connection the front door proxies.</summary>
    public FrontDoorConnection(long id, Socket client, FrontDoorListener listener)
    {
        Id = id;
        Client = client;
        Descriptor = -1;
        _listener = listener;
    }

    /// <summary>A connection the front door means to hand off: <paramref name="descriptor"/> is not touched by .NET's socket engine.</summary>
    public FrontDoorConnection(long id, int descriptor, IPEndPoint? remoteEndPoint)
    {
        Id = id;
        Descriptor = descriptor;
        RemoteEndPoint = remoteEndPoint;
    }

    /// <summary>When the front door accepted it (a <see cref="TimeProvider"/> timestamp), for the routing durations.</summary>
    public long AcceptedAt { get; set; }

    /// <summary>The connection's number, for logs.</summary>
    public long Id { get; }

    /// <summary>The accepted socket, when the connection is proxied (or refused after all).</summary>
    public Socket? Client { get; set; }

    /// <summary>The descriptor the primary holds for a connection it will hand off; -1 once a worker has it.</summary>
    public int Descriptor { get; set; }

    /// <summary>The client's address, for a connection that will be handed off.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Completes when the connection is over; it never faults.</summary>
    public Task Completion
    {
        get
        {
            if (_completion is null)
            {
                _ = Interlocked.CompareExchange(ref _completion, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
            }

            // Read after the source is published: a Complete that ran before it is seen here, one after it completes it.
            if (Volatile.Read(ref _completed) != 0)
            {
                _completion.TrySetResult();
            }

            return _completion.Task;
        }
    }

    /// <summary>
    /// Resets the client's connection, whatever stage it is in. A descriptor awaiting handoff is left to its own task
    /// (which sees the abort token): closing a number another thread may be using could hit a reused one.
    /// </summary>
    public void Abort() => Client?.Close(0);

    /// <summary>Closes whatever the primary still holds of the connection: the descriptor it did not hand off, or the .NET socket.</summary>
    public void Close()
    {
        if (Descriptor >= 0)
        {
            _ = LinuxSockets.Close(Descriptor);
            Descriptor = -1;
        }

        Client?.Dispose();
    }

    /// <summary>Marks the connection as over.</summary>
    public void Complete()
    {
        // A full fence between the mark and the look, as in the getter: one of the two sees the other.
        Interlocked.Exchange(ref _completed, 1);
        Volatile.Read(ref _completion)?.TrySetResult();
    }

    // Runs on the thread pool so that the accept loop goes straight back to accepting.
    void IThreadPoolWorkItem.Execute() => _ = _listener!.RunConnectionAsync(this);
}
