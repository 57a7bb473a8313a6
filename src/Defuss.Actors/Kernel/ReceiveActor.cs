namespace Defuss.Actors;

/// <summary>An actor whose behaviour is a list of typed handlers, tried in the order they were registered.</summary>
public abstract class ReceiveActor : ActorBase
{
    private List<Handler> _handlers = [];

    /// <summary>Handles messages of type <typeparamref name="T"/>.</summary>
    protected void Receive<T>(Action<T> handler) => Receive(null, handler);

    /// <summary>Handles messages of type <typeparamref name="T"/> for which <paramref name="predicate"/> holds.</summary>
    protected void Receive<T>(Predicate<T>? predicate, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(new Handler(
            typeof(T),
            predicate is null ? null : m => predicate((T)m),
            m =>
            {
                handler((T)m);
                return null;
            }));
    }

    /// <summary>Handles messages of type <typeparamref name="T"/> asynchronously; the mailbox waits until the task completes.</summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? predicate = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(new Handler(typeof(T), predicate is null ? null : m => predicate((T)m), m => handler((T)m)));
    }

    /// <summary>Handles every message that no earlier handler accepted.</summary>
    protected void ReceiveAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.Add(new Handler(typeof(object), null, m =>
        {
            handler(m);
            return null;
        }));
    }

    /// <summary>Replaces every handler with the ones that <paramref name="configure"/> registers (a state change).</summary>
    protected void Become(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _handlers = [];
        configure();
    }

    internal sealed override bool Dispatch(object message, out Task? pending)
    {
        var type = message.GetType();
        foreach (var handler in _handlers)
        {
            if (handler.Type.IsAssignableFrom(type) && (handler.Predicate is null || handler.Predicate(message)))
            {
                pending = handler.Invoke(message);
                return true;
            }
        }

        pending = null;
        return false;
    }

    private sealed record Handler(Type Type, Func<object, bool>? Predicate, Func<object, Task?> Invoke);
}

/// <summary>An actor with one <see cref="OnReceive"/> method, for actors that switch on the message themselves.</summary>
public abstract class UntypedActor : ActorBase
{
    /// <summary>Handles one message; call <c>Unhandled(message)</c> for the ones it does not know.</summary>
    protected abstract void OnReceive(object message);

    internal sealed override bool Dispatch(object message, out Task? pending)
    {
        OnReceive(message);
        pending = null;
        return true;
    }
}
