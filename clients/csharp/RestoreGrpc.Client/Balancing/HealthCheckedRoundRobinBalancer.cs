using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.Logging;

namespace RestoreGrpc.Client.Balancing;

/// <summary>
/// Round-robin with client-side health checking (gRFC A17), which grpc-dotnet lacks: the subchannels come from gRPC's
/// own <see cref="SubchannelsLoadBalancer"/>, each ready one's instance is watched on <c>grpc.health.v1</c>
/// (<see cref="HealthWatch"/>), and the picker only picks those that report SERVING. A change of health publishes a
/// new picker, so calls waiting for a first answer go on.
/// </summary>
internal sealed class HealthCheckedRoundRobinBalancer(IChannelControlHelper controller, ILoggerFactory loggerFactory, HealthChannelSettings settings)
    : SubchannelsLoadBalancer(controller, loggerFactory)
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<DnsEndPoint, HealthWatch> _watches = [];
    private volatile IReadOnlyList<Subchannel> _ready = [];
    private bool _disposed;

    protected override SubchannelPicker CreatePicker(IReadOnlyList<Subchannel> readySubchannels)
    {
        lock (_lock)
        {
            _ready = readySubchannels;
            HashSet<DnsEndPoint> watched = [.. readySubchannels.Select(s => s.CurrentAddress?.EndPoint).OfType<DnsEndPoint>()];
            foreach (DnsEndPoint gone in _watches.Keys.Where(a => !watched.Contains(a)).ToList())
            {
                _watches.TryRemove(gone, out HealthWatch? watch);
                watch?.Dispose();
            }

            foreach (DnsEndPoint address in watched.Where(a => !_watches.ContainsKey(a)).ToList())
            {
                if (!_disposed)
                {
                    _watches[address] = new HealthWatch(settings.ChannelTo(address), settings.Service, _ => OnHealthChanged());
                }
            }

            return new HealthCheckedPicker(() => _ready, HealthOf);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                Volatile.Write(ref _disposed, true);
                foreach (HealthWatch watch in _watches.Values)
                {
                    watch.Dispose();
                }

                _watches.Clear();
            }
        }

        base.Dispose(disposing);
    }

    private InstanceHealth HealthOf(Subchannel subchannel)
    {
        if (subchannel.CurrentAddress is not { } address)
        {
            return InstanceHealth.NotServing;
        }

        return _watches.TryGetValue(address.EndPoint, out HealthWatch? watch) ? watch.Health : InstanceHealth.Unknown;
    }

    private void OnHealthChanged()
    {
        // Not under the lock: the channel may call back into the balancer. The picker reads the current ready list.
        if (Volatile.Read(ref _disposed) || State != ConnectivityState.Ready)
        {
            return;
        }

        Controller.UpdateState(new BalancerState(ConnectivityState.Ready, new HealthCheckedPicker(() => _ready, HealthOf)));
    }
}
