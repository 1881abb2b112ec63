using System.Diagnostics;
using Grpc.Core;
using RestoreGrpc.Server.Services;

namespace RestoreGrpc.Server.Telemetry;

/// <summary>
/// Outermost interceptor: counts every call by method and final gRPC status (after
/// <see cref="Services.ErrorMappingInterceptor"/> has mapped exceptions), times it, tracks calls in flight, and puts
/// <c>rpc.grpc.status_code</c> on the server span (which <see cref="ServerSpanEnricher"/> names after the method),
/// and names that span in the <see cref="TraceResponse"/> trailer.
/// </summary>
internal sealed class TelemetryInterceptor : CallWrappingInterceptor
{
    protected override async Task<T> WrapAsync<T>(ServerCallContext context, Func<Task<T>> call)
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
