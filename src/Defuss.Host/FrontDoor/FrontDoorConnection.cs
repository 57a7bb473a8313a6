using System.Net.Sockets;

namespace Defuss.FrontDoor;

/// <summary>One accepted connection as the listener tracks it: its socket and its lifetime task.</summary>
internal sealed class FrontDoorConnection : IThreadPoolWorkItem
{
    private readonly FrontDoorListener _listener;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FrontDoorConnection(long id, Socket client, FrontDoorListener listener)
    {
        Id = id;
        Client = client;
        _listener = listener;
    }

    /// <summary>The connection's number, for logs.</summary>
    public long Id { get; }

    /// <summary>The accepted socket.</summary>
    public Socket Client { get; }

    /// <summary>Completes when the connection is over; it never faults.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Resets the client's connection, whatever stage it is in.</summary>
    public void Abort() => Client.Close(0);

    /// <summary>Marks the connection as over.</summary>
    public void Complete() => _completion.TrySetResult();

    // Runs on the thread pool so that the accept loop goes straight back to accepting.
    void IThreadPoolWorkItem.Execute() => _ = _listener.RunConnectionAsync(this);
}
