using Grpc.Core;
using Grpc.Net.Client.Balancer;

namespace RestoreGrpc.Client.Balancing;

/// <summary>
/// Round-robin among the ready subchannels whose instance reports SERVING (gRFC A17): the others get no picks. With no
/// healthy one the pick waits while some health is still unknown, and otherwise fails as UNAVAILABLE, so the channel's
/// retry policy tries again (and the watches may have news by then). It reads the balancer's current ready list on every
/// pick, so a picker published on a health change never holds a stale list.
/// </summary>
internal sealed class HealthCheckedPicker(Func<IReadOnlyList<Subchannel>> readyNow, Func<Subchannel, InstanceHealth> healthOf) : SubchannelPicker
{
    private int _next = Random.Shared.Next();

    public override PickResult Pick(PickContext context)
    {
        IReadOnlyList<Subchannel> ready = readyNow();
        bool anyUnknown = false;
        var healthy = new List<Subchannel>(ready.Count);
        foreach (Subchannel subchannel in ready)
        {
            switch (healthOf(subchannel))
            {
                case InstanceHealth.Serving:
                    healthy.Add(subchannel);
                    break;
                case InstanceHealth.Unknown:
                    anyUnknown = true;
                    break;
            }
        }

        if (healthy.Count > 0)
        {
            return PickResult.ForSubchannel(healthy[(int)((uint)Interlocked.Increment(ref _next) % (uint)healthy.Count)]);
        }

        return anyUnknown
            ? PickResult.ForQueue()
            : PickResult.ForFailure(new Status(StatusCode.Unavailable, "no instance reports SERVING on grpc.health.v1"));
    }
}
