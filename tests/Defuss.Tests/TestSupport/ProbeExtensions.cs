namespace Defuss.Tests.TestSupport;

using Defuss.Actors;
using Defuss.Actors.TestKit;

/// <summary>Expectations the kernel tests share.</summary>
internal static class ProbeExtensions
{
    /// <summary>Receives the next <paramref name="count"/> messages, each a <typeparamref name="T"/>.</summary>
    public static async Task<IReadOnlyList<T>> ReceiveAsync<T>(this TestProbe probe, int count)
    {
        var received = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            received.Add(await probe.ExpectMsgAsync<T>());
        }

        return received;
    }

    /// <summary>Expects <paramref name="hook"/> of incarnation <paramref name="incarnation"/> of <paramref name="actor"/> next.</summary>
    public static Task<LifecycleEvent> ExpectHookAsync(this TestProbe probe, string actor, Hook hook, int incarnation) =>
        probe.ExpectMsgAsync<LifecycleEvent>(e => e.Is(actor, hook, incarnation));

    /// <summary>Expects the four hooks of a restart from incarnation <paramref name="from"/> to the next, in order.</summary>
    public static async Task ExpectRestartAsync(this TestProbe probe, string actor, int from)
    {
        await probe.ExpectHookAsync(actor, Hook.PreRestart, from);
        await probe.ExpectHookAsync(actor, Hook.PostStop, from);
        await probe.ExpectHookAsync(actor, Hook.PostRestart, from + 1);
        await probe.ExpectHookAsync(actor, Hook.PreStart, from + 1);
    }

    /// <summary>
    /// Sends <see cref="Ping"/> to <paramref name="target"/> and expects <see cref="Pong"/> as the very next message: proves that
    /// everything <paramref name="target"/> had in its mailbox before was handled without telling the probe anything.
    /// </summary>
    public static Task<Pong> FlushAsync(this TestProbe probe, IActorRef target)
    {
        probe.Send(target, Ping.Instance);
        return probe.ExpectMsgAsync<Pong>();
    }
}
