using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using RestoreGrpc.Contracts.Telemetry;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// Outermost interceptor: counts every call by method and final gRPC status (after
/// <see cref="Services.ErrorMappingInterceptor"/> has mapped exceptions), times it, tracks calls in flight, and puts
/// <c>rpc.status_code</c> on the server span (which <see cref="ServerSpanEnricher"/> names after the method), with
/// <c>error.type</c> and an error status only for the statuses the RPC conventions count as the server's errors
/// (<see cref="RpcConventions.IsServerError"/>: not a caller's INVALID_ARGUMENT), and names that span in the
/// <see cref="TraceResponse"/> trailer.
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
        string method = RpcConventions.MethodName(context.Method);
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
                string statusName = RpcConventions.StatusName(status);
                span.SetTag(RpcConventions.Status, statusName);
                if (RpcConventions.IsServerError(status))
                {
                    span.SetTag(RpcConventions.ErrorType, statusName);
                    span.SetStatus(ActivityStatusCode.Error, statusName);
                }
            }
        }
    }
}
