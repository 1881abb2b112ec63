using Grpc.Core;
using Grpc.Core.Interceptors;

namespace RestoreGrpc.Server.Services;

/// <summary>A server interceptor that wraps every kind of call (unary, client, server and duplex streaming) the same
/// way: <see cref="WrapAsync"/> gets the call as one task.</summary>
internal abstract class CallWrappingInterceptor : Interceptor
{
    public sealed override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation) =>
        WrapAsync(context, () => continuation(request, context));

    public sealed override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        WrapAsync(context, () => continuation(requestStream, context));

    public sealed override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        WrapAsync(context, async () =>
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return true;
        });

    public sealed override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        WrapAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            return true;
        });

    /// <summary>Runs <paramref name="call"/> (the rest of the pipeline) inside whatever this interceptor adds.</summary>
    protected abstract Task<T> WrapAsync<T>(ServerCallContext context, Func<Task<T>> call);
}
