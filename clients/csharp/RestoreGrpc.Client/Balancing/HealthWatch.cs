using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace RestoreGrpc.Client.Balancing;

/// <summary>
/// A <c>grpc.health.v1.Health/Watch</c> on one instance, over a small channel of its own to that address, kept open
/// and restarted with back-off when it fails (gRFC A17). Reports every change of <see cref="InstanceHealth"/>.
/// </summary>
internal sealed class HealthWatch : IDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastBackoff = TimeSpan.FromSeconds(30);

    private readonly GrpcChannel _channel;
    private readonly string _service;
    private readonly Action<InstanceHealth> _changed;
    private readonly CancellationTokenSource _stop = new();
    private int _health = (int)InstanceHealth.Unknown;

    public HealthWatch(GrpcChannel channel, string service, Action<InstanceHealth> changed)
    {
        _channel = channel;
        _service = service;
        _changed = changed;
        _ = Task.Run(WatchAsync);
    }

    public InstanceHealth Health => (InstanceHealth)Volatile.Read(ref _health);

    public void Dispose()
    {
        _stop.Cancel();
        _channel.Dispose();
    }

    private async Task WatchAsync()
    {
        var client = new Health.HealthClient(_channel);
        TimeSpan backoff = FirstBackoff;
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using AsyncServerStreamingCall<HealthCheckResponse> call = client.Watch(new HealthCheckRequest { Service = _service }, cancellationToken: stop);
                await foreach (HealthCheckResponse response in call.ResponseStream.ReadAllAsync(stop).ConfigureAwait(false))
                {
                    Report(response.Status == HealthCheckResponse.Types.ServingStatus.Serving ? InstanceHealth.Serving : InstanceHealth.NotServing);
                    backoff = FirstBackoff;
                }

                // The server ended the watch (it is stopping): not serving until a new watch says otherwise.
                Report(InstanceHealth.NotServing);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                // No health service on this instance: A17 turns health checking off for it.
                Report(InstanceHealth.Serving);
                return;
            }
            catch (RpcException) when (!stop.IsCancellationRequested)
            {
                Report(InstanceHealth.NotServing);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException) when (stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(backoff, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, LastBackoff.Ticks));
        }
    }

    private void Report(InstanceHealth health)
    {
        if (Interlocked.Exchange(ref _health, (int)health) != (int)health && !_stop.IsCancellationRequested)
        {
            _changed(health);
        }
    }
}
