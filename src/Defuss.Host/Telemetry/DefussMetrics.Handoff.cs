using System.Diagnostics.Metrics;

namespace Defuss.Telemetry;

/// <summary>The handoff channels' and the handoff intake's instruments, created the first time one is used.</summary>
internal sealed partial class DefussMetrics
{
    private HandoffInstruments? _handoffInstruments;
    private bool _handoffInstrumentsCreated;
    private object? _handoffInstrumentsLock;

    private HandoffInstruments Handoff =>
        LazyInitializer.EnsureInitialized(ref _handoffInstruments, ref _handoffInstrumentsCreated, ref _handoffInstrumentsLock, () => new HandoffInstruments(_meter))!;

    /// <summary>Handed-off connections whose end was never reported, settled by a reconciliation with their worker.</summary>
    public void ConnectionsReconciled(int count) => Handoff.Reconciled.Add(count);

    /// <summary>A handoff channel failed or its worker broke the protocol, and it was dropped.</summary>
    public void HandoffChannelBroke() => Handoff.ChannelsBroken.Add(1);

    /// <summary>A connection was routed with part of its head, because the pending heads had used up their byte budget.</summary>
    public void HeadOverBudget() => Handoff.HeadsOverBudget.Add(1);

    /// <summary>Where <c>defuss.handoff.heads.memory</c> reads from: the handoff intake's head budget.</summary>
    public void ObserveHeadMemory(Func<long> heldBytes) => Handoff.ObserveHeadMemory(heldBytes);

    private sealed class HandoffInstruments
    {
        private Func<long>? _headMemory;

        public HandoffInstruments(Meter meter)
        {
            Reconciled = meter.CreateCounter<long>("defuss.handoff.reconciled", "{connection}", "Handed-off connections whose end the worker never reported, settled as ended when its periodic list of open connections no longer had them.");
            ChannelsBroken = meter.CreateCounter<long>("defuss.handoff.channels.broken", "{channel}", "Handoff channels dropped because they failed (a worker out of descriptors) or a worker broke the protocol; their connections were settled as ended.");
            HeadsOverBudget = meter.CreateCounter<long>("defuss.handoff.heads.over_budget", "{connection}", "Connections routed with the part of their head that had arrived, because the heads being waited for held their whole byte budget.");
            meter.CreateObservableGauge("defuss.handoff.heads.memory", () => Volatile.Read(ref _headMemory)?.Invoke() ?? 0, "By", "Bytes held by the heads the handoff intake is waiting for.");
        }

        public Counter<long> Reconciled { get; }

        public Counter<long> ChannelsBroken { get; }

        public Counter<long> HeadsOverBudget { get; }

        public void ObserveHeadMemory(Func<long> heldBytes) => Volatile.Write(ref _headMemory, heldBytes);
    }
}
