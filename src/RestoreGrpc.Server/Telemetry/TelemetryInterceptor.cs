using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// Outermost interceptor: counts every call by method and final gRPC status (after
/// <see cref="Services.ErrorMappingInterceptor"/> has mapped exceptions), times it, tracks calls in flight, and puts
/// <c>rpc.grpc.status_code</c> on the server span (which <see cref="ServerSpanEnricher"/> names after the method),
/// and names that span in the <see cref="TraceResponse"/> trailer.
/// </summary>
internal sealed class TelemetryInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation) =>
        ObserveAsync(context, () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        ObserveAsync(context, () => continuation(requestStream, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        ObserveAsync(context, async () =>
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return true;
        });

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        ObserveAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            return true;
        });

    private static async Task<T> ObserveAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        var method = RpcMethod.Parse(context.Method);
        Activity? span = Activity.Current;
        TraceResponse.Add(context, span);
        long started = Stopwatch.GetTimestamp();
        StatusCode status = StatusCode.OK;
        ServerMetrics.CallStarted(method);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            status = e.StatusCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            status = StatusCode.Cancelled;
            throw;
        }
        catch (Exception)
        {
            status = StatusCode.Unknown;
            throw;
        }
        finally
        {
            ServerMetrics.CallCompleted(method, status, Stopwatch.GetElapsedTime(started));
            if (span is not null)
            {
                span.SetTag(RpcAttributes.GrpcStatusCode, (int)status);
                if (status != StatusCode.OK)
                {
                    span.SetStatus(ActivityStatusCode.Error, status.ToString());
                }
            }
        }
    }
}
