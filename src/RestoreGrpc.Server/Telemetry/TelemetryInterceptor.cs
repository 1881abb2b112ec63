using System.Diagnostics;
using Grpc.Core;
using RestoreGrpc.Contracts.Telemetry;
using RestoreGrpc.Server.Services;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// Outermost interceptor: counts every call by method and final gRPC status (after
/// <see cref="Services.ErrorMappingInterceptor"/> has mapped exceptions), times it, tracks calls in flight, and puts
/// <c>rpc.status_code</c> on the server span (which <see cref="ServerSpanEnricher"/> names after the method), with
/// <c>error.type</c> and an error status only for the statuses the RPC conventions count as the server's errors
/// (<see cref="RpcConventions.IsServerError"/>: not a caller's INVALID_ARGUMENT), and names that span in the
/// <see cref="TraceResponse"/> trailer.
/// </summary>
internal sealed class TelemetryInterceptor : CallWrappingInterceptor
{
    protected override async Task<T> WrapAsync<T>(ServerCallContext context, Func<Task<T>> call)
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
