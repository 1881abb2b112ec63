using Grpc.Core;
using Grpc.Core.Interceptors;

namespace RestoreGrpc.Server.Draining;

/// <summary>
/// Innermost interceptor: counts RestoreGrpc calls in flight for the drain, and refuses new ones with UNAVAILABLE once
/// the drain has begun (nothing was done, so clients retry on another instance; the pushback of 0 ms retries at
/// once). Health and reflection calls are never refused: probes must see NOT_SERVING, not an error.
/// </summary>
internal sealed class DrainInterceptor(ServerDrain drain) : Interceptor
{
    private const string ServicePrefix = "/restoregrpc.";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation) =>
        CountAsync(context, () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        CountAsync(context, () => continuation(requestStream, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        CountAsync(context, async () =>
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return true;
        });

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        CountAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            return true;
        });

    private async Task<T> CountAsync<T>(ServerCallContext context, Func<Task<T>> call)
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
