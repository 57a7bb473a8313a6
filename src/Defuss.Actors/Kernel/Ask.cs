namespace Defuss.Actors;

/// <summary>Request-reply and stop-and-wait on actor references.</summary>
public static class ActorRefExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> and waits for a reply of type <typeparamref name="T"/>. Fails with
    /// <see cref="AskTimeoutException"/> after <paramref name="timeout"/> (on the system's clock), with
    /// <see cref="AskTargetTerminatedException"/> as soon as the target stops, and with the cause of a <see cref="Status.Failure"/> reply.
    /// </summary>
    public static Task<T> Ask<T>(this IActorRef target, object message, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        AskCore<T>(target, message, timeout, inlineContinuation: false, cancellationToken);

    /// <summary>
    /// <see cref="Ask{T}"/>, but what follows the caller's <c>await</c> runs on the thread of the actor that replies, which
    /// saves a thread-pool hop. Only for a caller whose continuation is short and never blocks: it holds up that actor.
    /// </summary>
    internal static Task<T> AskInline<T>(this IActorRef target, object message, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        AskCore<T>(target, message, timeout, inlineContinuation: true, cancellationToken);

    private static async Task<T> AskCore<T>(IActorRef target, object message, TimeSpan timeout, bool inlineContinuation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "An ask timeout must be positive.");
        }

        var cell = ActorCell.Resolve(target)
            ?? throw new AskTargetTerminatedException($"{target} is not a live actor and cannot answer {message.GetType().Name}.");
        var promise = new PromiseActorRef<T>(target, message, inlineContinuation);
        cell.AddWatcher(promise);
        try
        {
            target.Tell(message, promise);
            return await promise.Task.WaitAsync(timeout, cell.System.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!promise.Task.IsCompleted)
        {
            throw new AskTimeoutException(
                $"Ask to {target.Path} timed out after {timeout.TotalMilliseconds:0.###} ms waiting for a {typeof(T).Name} reply to {message.GetType().Name}.");
        }
        finally
        {
            cell.RemoveWatcher(promise);
        }
    }

    /// <summary>
    /// Sends a <see cref="PoisonPill"/> and waits until the actor has stopped. Returns <c>false</c> if it has not stopped within
    /// <paramref name="timeout"/> (on the system's clock).
    /// </summary>
    public static async Task<bool> GracefulStop(this IActorRef target, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(target);
        var cell = ActorCell.Resolve(target);
        if (cell is null)
        {
            return true;
        }

        var watcher = new StopWatcher();
        cell.AddWatcher(watcher);
        target.Tell(PoisonPill.Instance, ActorRefs.Nobody);
        try
        {
            await watcher.Stopped.Task.WaitAsync(timeout, cell.System.TimeProvider).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            cell.RemoveWatcher(watcher);
        }
    }

    private sealed class StopWatcher : IWatcher
    {
        public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void WatchedTerminated(IActorRef subject) => Stopped.TrySetResult();
    }
}

/// <summary>The temporary sender of an ask: the first reply completes the task.</summary>
internal sealed class PromiseActorRef<T>(IActorRef target, object question, bool inlineContinuation = false) : IActorRef, IWatcher
{
    private readonly TaskCompletionSource<T> _reply = new(inlineContinuation ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _reply.Task;

    /// <summary>Every ask's temporary sender shares one path; built once, not per ask (the front door asks per connection).</summary>
    private static readonly ActorPath AskPath = ActorPath.Root.Child("temp").Child("ask");

    public ActorPath Path => AskPath;

    public void Tell(object message, IActorRef? sender = null)
    {
        switch (message)
        {
            case Status.Failure failure:
                _reply.TrySetException(failure.Cause);
                break;
            case T reply:
                _reply.TrySetResult(reply);
                break;
            default:
                _reply.TrySetException(new InvalidCastException(
                    $"Ask to {target.Path} expected a {typeof(T).Name} reply to {question.GetType().Name} but got a {message.GetType().Name}."));
                break;
        }
    }

    public void WatchedTerminated(IActorRef subject) =>
        _reply.TrySetException(new AskTargetTerminatedException(
            $"{subject.Path} stopped before it replied to {question.GetType().Name}."));
}
