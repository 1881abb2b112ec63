using Grpc.Core;
using RestoreGrpc.Server.Services;

namespace RestoreGrpc.Server.Draining;

/// <summary>
/// Innermost interceptor: counts RestoreGrpc calls in flight for the drain (until their responses are complete), and
/// refuses new ones with UNAVAILABLE once the drain has begun (nothing was done, so clients retry on another instance;
/// the pushback of 0 ms retries at once). Health and reflection calls are never refused: probes must see NOT_SERVING, not an error.
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

        // The call counts until Kestrel has completed its response, not until the handler returns: the status trailers
        // are written after the whole interceptor chain has unwound, and a drain that ended on the handler's return
        // let Kestrel start closing connections while a stream's UNAVAILABLE trailer was still being produced.
        // Should a callback not run, the drain's grace period and ending time still bound its wait.
        context.GetHttpContext().Response.OnCompleted(() =>
        {
            drain.Exit();
            return Task.CompletedTask;
        });
        return await call().ConfigureAwait(false);
    }
}
