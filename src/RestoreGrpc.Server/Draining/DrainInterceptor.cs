using Grpc.Core;
using RestoreGrpc.Server.Services;

namespace RestoreGrpc.Server.Draining;

/// <summary>
/// Innermost interceptor: counts RestoreGrpc calls in flight for the drain, and refuses new ones with UNAVAILABLE once
/// the drain has begun (nothing was done, so clients retry on another instance; the pushback of 0 ms retries at
/// once). Health and reflection calls are never refused: probes must see NOT_SERVING, not an error.
/// </summary>
internal sealed class DrainInterceptor(ServerDrain drain) : CallWrappingInterceptor
{
    private const string ServicePrefix = "/restoregrpc.";

    protected override async Task<T> WrapAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        if (!context.Method.StartsWith(ServicePrefix, StringComparison.Ordinal))
        {
            return await call().ConfigureAwait(false);
        }

        if (!drain.TryEnter())
        {
            // gRPC's retry pushback: the client's retry policy retries now instead of after its back-off.
            context.ResponseTrailers.Add("grpc-retry-pushback-ms", "0");
            throw ServerDrain.Refused();
        }

        try
        {
            return await call().ConfigureAwait(false);
        }
        finally
        {
            drain.Exit();
        }
    }
}
